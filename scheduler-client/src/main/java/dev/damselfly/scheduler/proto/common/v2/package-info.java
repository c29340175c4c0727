/**
 * Code generated at build time from {@code src/main/proto/dragonfly/common/v2/common.proto} (protobuf package
 * {@code common.v2}, wire-compatible with Dragonfly's). Do not edit: change the .proto and rebuild.
 */
package dev.damselfly.scheduler.proto.common.v2;
