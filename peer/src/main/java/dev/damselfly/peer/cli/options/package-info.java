/**
 * Options shared by several commands: {@link dev.damselfly.peer.cli.options.RegistryOptions} (how to
 * reach and authenticate to registries, turned into a {@code RegistryClient}) and the picocli type
 * converters for sizes, credentials and platforms.
 */
package dev.damselfly.peer.cli.options;
