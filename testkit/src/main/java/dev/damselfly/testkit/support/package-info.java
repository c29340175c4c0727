/**
 * Small process- and socket-level helpers shared by the test kit: free loopback ports, temporary
 * directories, captured process output and the JVM shutdown safety net that stops every started
 * process even when a test forgets to.
 */
package dev.damselfly.testkit.support;
