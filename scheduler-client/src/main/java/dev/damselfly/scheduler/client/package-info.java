/**
 * The client side of the Dragonfly v2 scheduler protocol: {@link dev.damselfly.scheduler.client.SchedulerClient}
 * (channels to one or more schedulers, periodic AnnounceHost, DeleteTask, DeleteHost at shutdown),
 * {@link dev.damselfly.scheduler.client.PeerSession} (one AnnouncePeer stream per download, driven as a
 * state machine with reconnect and replay), and the per-task scheduler choice of spec §1.13.
 */
package dev.damselfly.scheduler.client;
