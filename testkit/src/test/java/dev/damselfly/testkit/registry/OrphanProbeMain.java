package dev.damselfly.testkit.registry;

/** Started in a separate JVM by {@link RegistryServerTest}: starts a registry, reports it, then waits to be killed. */
public final class OrphanProbeMain {

    private OrphanProbeMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        RegistryServer registry = RegistryServer.start();
        System.out.println("REGISTRY " + registry.pid() + " " + registry.port() + " " + registry.storageDir().getParent());
        System.out.flush();
        Thread.sleep(60_000);
    }
}
