/**
 * The scheduler's in-memory model: hosts, tasks and peers with their timestamps, piece bitmaps, upload
 * counters and the per-task parent graph (DAG). A task's peers and edges change only under the task's
 * lock; host counters are atomic because a host serves many tasks.
 */
package dev.damselfly.scheduler.server.resource;
