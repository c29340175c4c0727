/**
 * The node's configuration: the YAML file of {@code damselfly node --config}, its defaults, the
 * {@code --set key=value} overrides, and the parsing of sizes, durations and bit rates in it.
 * Every key is documented on its field with its unit and default; README.md lists them all.
 */
package dev.damselfly.peer.node.config;
