/**
 * Registry authentication: credentials (explicit, or from a Docker {@code config.json} and its
 * credential helpers), {@code WWW-Authenticate} challenge parsing, and the bearer-token flow with a
 * per-scope token cache. Secrets never appear in {@code toString()} or log lines.
 */
package dev.damselfly.oci.auth;
