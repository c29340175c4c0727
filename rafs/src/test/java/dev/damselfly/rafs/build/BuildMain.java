package dev.damselfly.rafs.build;

import java.nio.file.Path;

/** Test entry point for a forked, memory-limited JVM: {@code BuildMain TAR BOOTSTRAP BLOB}. */
public final class BuildMain {
    private BuildMain() {
    }

    public static void main(String[] args) throws Exception {
        LayerBuildResult r = new LayerBuilder().build(Path.of(args[0]), Path.of(args[1]), Path.of(args[2]));
        System.out.println("blob " + r.blobId() + " chunks " + r.chunkCount() + " max heap " + Runtime.getRuntime().maxMemory());
    }
}
