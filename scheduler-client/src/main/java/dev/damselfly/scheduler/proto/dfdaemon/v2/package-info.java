/**
 * Code generated at build time from {@code src/main/proto/dragonfly/dfdaemon/v2/dfdaemon.proto} (protobuf package
 * {@code dfdaemon.v2}, wire-compatible with Dragonfly's). Do not edit: change the .proto and rebuild.
 */
package dev.damselfly.scheduler.proto.dfdaemon.v2;
