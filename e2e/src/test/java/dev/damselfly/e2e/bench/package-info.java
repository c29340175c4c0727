/**
 * Scripted benchmarks (run by {@code e2e/bench/*}, not by the test suite): each measures Damselfly and
 * a reference side by side in one run and writes the ratio to {@code BENCHMARKS.md}.
 */
package dev.damselfly.e2e.bench;
