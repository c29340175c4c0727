/** The scheduler benchmark (run by {@code scheduler/bench/scheduler-bench}); not a test. */
package dev.damselfly.scheduler.server.bench;
