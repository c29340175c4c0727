/**
 * Tests of the deployment artifacts under {@code deploy/}: the Helm chart rendered and linted by real Helm
 * (helm-java, in process), every rendered object parsed and checked field by field; the containerd init
 * script run with {@code /bin/sh} and the {@code hosts.toml} files it writes parsed as TOML; the Grafana
 * dashboard checked against the node's metric names; the image's Dockerfile checked against the node's
 * command, the build's output path and the chart's ports. No main code lives in this module.
 */
package dev.damselfly.deploy;
