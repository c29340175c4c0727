/**
 * Code generated at build time from {@code src/main/proto/dragonfly/errordetails/v2/errordetails.proto} (protobuf package
 * {@code errordetails.v2}, wire-compatible with Dragonfly's). Do not edit: change the .proto and rebuild.
 */
package dev.damselfly.scheduler.proto.errordetails.v2;
