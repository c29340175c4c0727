/**
 * The validation rules a real Dragonfly scheduler enforces on every message (spec §1.10, the Go
 * protos' validator interceptor). The client checks what it sends, the embedded scheduler checks what
 * it receives, so a message our client sends is one a real scheduler accepts.
 */
package dev.damselfly.scheduler.client.validation;
