/**
 * The embedded / standalone Dragonfly v2 scheduler: {@link dev.damselfly.scheduler.server.SchedulerServer}
 * serves {@code scheduler.v2.Scheduler} and {@code grpc.health.v1.Health} over Netty;
 * {@link dev.damselfly.scheduler.server.SchedulerService} maps RPCs onto the in-memory resources and the
 * scheduling decisions; {@link dev.damselfly.scheduler.server.SchedulerConfig} holds every tunable.
 */
package dev.damselfly.scheduler.server;
