/** {@code damselfly scheduler}: the embedded Dragonfly v2 compatible scheduler run standalone. */
package dev.damselfly.peer.cli.scheduler;
