/**
 * A fault-injecting HTTP reverse proxy for a registry
 * ({@link dev.damselfly.testkit.proxy.FaultInjectingProxy}) and the S3-like "blob storage" endpoint
 * it redirects blob downloads to ({@link dev.damselfly.testkit.proxy.BlobStorageServer}). Built on
 * {@code com.sun.net.httpserver} (front) and {@code java.net.http} (upstream); bodies are streamed
 * in both directions, never buffered. Note {@code com.sun.net.httpserver} re-cases response header
 * names ({@code Www-authenticate}); values pass through unchanged and HTTP header names are
 * case-insensitive.
 */
package dev.damselfly.testkit.proxy;
