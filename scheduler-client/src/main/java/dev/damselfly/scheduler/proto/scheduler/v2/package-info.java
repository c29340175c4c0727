/**
 * Code generated at build time from {@code src/main/proto/dragonfly/scheduler/v2/scheduler.proto} (protobuf package
 * {@code scheduler.v2}, wire-compatible with Dragonfly's). Do not edit: change the .proto and rebuild.
 */
package dev.damselfly.scheduler.proto.scheduler.v2;
