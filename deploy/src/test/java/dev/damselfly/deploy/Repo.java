package dev.damselfly.deploy;

import java.nio.file.Files;
import java.nio.file.Path;

/** Paths in the repository, resolved from the {@code damselfly.repoRoot} system property set by the pom. */
final class Repo {
    /** The repository root (the parent of {@code deploy/}). */
    static final Path ROOT = findRoot();
    /** The Helm chart. */
    static final Path CHART = ROOT.resolve("deploy/helm/damselfly");
    /** The node image's build file. */
    static final Path DOCKERFILE = ROOT.resolve("deploy/image/Dockerfile");
    /** The Grafana dashboard. */
    static final Path DASHBOARD = ROOT.resolve("deploy/grafana/damselfly-dashboard.json");

    private Repo() {
    }

    private static Path findRoot() {
        String configured = System.getProperty("damselfly.repoRoot");
        Path start = configured != null ? Path.of(configured) : Path.of("").toAbsolutePath();
        for (Path p = start.toAbsolutePath().normalize(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("deploy/helm/damselfly")) && Files.isRegularFile(p.resolve("pom.xml"))) {
                return p;
            }
        }
        throw new IllegalStateException("no repository root with deploy/helm/damselfly above " + start);
    }
}
