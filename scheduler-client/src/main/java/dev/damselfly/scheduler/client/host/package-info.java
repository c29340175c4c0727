/**
 * What a node tells the scheduler about itself: the host's identity, ports, and live CPU, memory,
 * disk and network facts (spec §1.8 Host), gathered from the JVM and {@code /proc}.
 */
package dev.damselfly.scheduler.client.host;
