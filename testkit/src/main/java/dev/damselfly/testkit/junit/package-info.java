/**
 * JUnit 5 wiring: {@link dev.damselfly.testkit.junit.RegistryExtension} starts a real registry (and
 * optionally a token server and a fault-injecting proxy) for a test class and attaches the
 * registry's log tail to any failure.
 */
package dev.damselfly.testkit.junit;
