/** {@code damselfly proxy}: the registry mirror and proxy run on their own, until {@code damselfly node} serves them. */
package dev.damselfly.peer.cli.proxy;
