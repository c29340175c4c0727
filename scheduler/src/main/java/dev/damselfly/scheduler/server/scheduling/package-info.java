/**
 * Scheduling decisions: the candidate-parent pipeline (sample, filter, score, keep the best, add DAG
 * edges — spec §3.5), the back-to-source and seed-peer rules with retries (spec §3.7), and the conversion of
 * resources to {@code common.v2} messages.
 */
package dev.damselfly.scheduler.server.scheduling;
