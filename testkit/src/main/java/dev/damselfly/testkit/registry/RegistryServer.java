package dev.damselfly.testkit.registry;

import dev.damselfly.testkit.accesslog.AccessLog;
import dev.damselfly.testkit.support.FreePorts;
import dev.damselfly.testkit.support.ProcessOutput;
import dev.damselfly.testkit.support.ShutdownSafetyNet;
import dev.damselfly.testkit.support.TempDirs;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A real Docker Distribution registry process: {@code docker-registry serve CONFIG.yml} on a free
 * 127.0.0.1 port, with a fresh temporary directory holding the config, the auth files and the
 * filesystem storage. {@link #start} returns once {@code GET /v2/} answers 200 or 401;
 * {@link #close()} kills the process (and any children) and deletes the directory. A JVM shutdown
 * hook does the same for servers a test forgot to close. For a JVM that dies without running hooks
 * (SIGKILL, e.g. a Surefire fork timeout) the registry runs under a tiny {@code /bin/sh} supervisor
 * that kills it as soon as the JVM's end of the supervisor's stdin pipe closes; only the temporary
 * directory is left behind then.
 */
public final class RegistryServer implements AutoCloseable {

    /** System property overriding the binary location: {@value}. */
    public static final String BINARY_PROPERTY = "damselfly.registry.binary";
    /** Default binary (Debian package {@code docker-registry}): {@value}. */
    public static final String DEFAULT_BINARY = "/usr/bin/docker-registry";
    /** Default time allowed for the registry to answer {@code /v2/}: 30 s. */
    public static final Duration DEFAULT_START_TIMEOUT = Duration.ofSeconds(30);
    /** Default Distribution log level: {@value}. */
    public static final String DEFAULT_LOG_LEVEL = "info";

    /**
     * Supervisor: runs the registry ({@code $0 serve $1}) with stdin from /dev/null, writes its pid
     * to {@code $2}, and kills it when our stdin (a pipe from this JVM) reaches EOF. It reaps both of
     * its children before exiting with the registry's exit status, so no zombie is left to an init
     * that may not reap (containers).
     */
    private static final String SUPERVISOR = String.join("\n",
            "exec 3<&0",
            "\"$0\" serve \"$1\" </dev/null 3<&- &",
            "child=$!",
            "echo \"$child\" > \"$2\"",
            "( read -r _ignored <&3; kill -KILL \"$child\" 2>/dev/null ) >/dev/null 2>&1 </dev/null &",
            "watchdog=$!",
            "exec 3<&-",
            "wait \"$child\"",
            "status=$?",
            "kill \"$watchdog\" 2>/dev/null",
            "wait \"$watchdog\" 2>/dev/null",
            "exit \"$status\"");
    private static final String PID_FILE = "registry.pid";
    private static final int BIND_ATTEMPTS = 3;
    private static final Duration POLL_INTERVAL = Duration.ofMillis(20);
    private static final Duration STOP_GRACE = Duration.ofSeconds(5);

    private final Path workDir;
    private final Path storageDir;
    private final Path configFile;
    private final int port;
    private final RegistryAuth auth;
    private final Process process;
    private final long registryPid;
    private final ProcessOutput output;
    private final AccessLog accessLog;
    private final HttpClient http;
    private final TlsMaterial tls;
    private volatile boolean closed;

    private RegistryServer(Path workDir, Path storageDir, Path configFile, int port, RegistryAuth auth,
            Process process, long registryPid, ProcessOutput output, AccessLog accessLog, HttpClient http, TlsMaterial tls) {
        this.workDir = workDir;
        this.storageDir = storageDir;
        this.configFile = configFile;
        this.port = port;
        this.auth = auth;
        this.process = process;
        this.registryPid = registryPid;
        this.output = output;
        this.accessLog = accessLog;
        this.http = http;
        this.tls = tls;
    }

    /**
     * Starts a registry with default settings.
     *
     * @param auth anonymous, htpasswd or token
     * @return a running registry
     * @throws RegistryNotInstalledException when the binary is missing
     * @throws RegistryStartException        when it does not come up, with its output
     */
    public static RegistryServer start(RegistryAuth auth) {
        return builder().auth(auth).start();
    }

    /** @return a running anonymous registry, see {@link #start(RegistryAuth)} */
    public static RegistryServer start() {
        return start(RegistryAuth.none());
    }

    /** @return a builder: anonymous, default binary, 30 s start timeout, log level info */
    public static Builder builder() {
        return new Builder();
    }

    /** @return {@code 127.0.0.1:PORT}, the registry host in image references */
    public String hostPort() {
        return "127.0.0.1:" + port;
    }

    /** @return {@code http://127.0.0.1:PORT}, or {@code https://} when TLS is on (no trailing slash) */
    public URI baseUri() {
        return URI.create((tls == null ? "http://" : "https://") + hostPort());
    }

    /** @return the TLS certificates when the registry serves HTTPS ({@link Builder#tls()}), else empty */
    public java.util.Optional<TlsMaterial> tls() {
        return java.util.Optional.ofNullable(tls);
    }

    /** @return the TCP port */
    public int port() {
        return port;
    }

    /** @return the filesystem driver's root directory ({@code docker/registry/v2/...} lives below) */
    public Path storageDir() {
        return storageDir;
    }

    /** @return the written {@code config.yml} */
    public Path configFile() {
        return configFile;
    }

    /** @return the auth mode this registry was started with */
    public RegistryAuth auth() {
        return auth;
    }

    /** @return the parsed access log (fed from the process's stdout as it runs) */
    public AccessLog accessLog() {
        return accessLog;
    }

    /** @return captured stdout+stderr (each line prefixed {@code stdout| } or {@code stderr| }), for failure messages */
    public String logs() {
        return output.text();
    }

    /**
     * @param lines how many lines
     * @return the last {@code lines} lines of {@link #logs()}
     */
    public String logsTail(int lines) {
        return output.tail(lines);
    }

    /** @return whether the registry process is still running */
    public boolean isRunning() {
        return process.isAlive() && ProcessHandle.of(registryPid).map(ProcessHandle::isAlive).orElse(false);
    }

    /** @return the {@code docker-registry} process id (its supervisor shell is its parent) */
    public long pid() {
        return registryPid;
    }

    /**
     * Kills the registry (SIGKILL via its supervisor; the whole process tree is killed if that has
     * not finished within 5 s) and deletes the temporary directory. Idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        stop(process);
        output.awaitEof(2000);
        TempDirs.deleteRecursively(workDir);
        ShutdownSafetyNet.unregister(this);
    }

    @Override
    public String toString() {
        return "RegistryServer[" + baseUri() + ", " + auth.getClass().getSimpleName() + ", pid " + registryPid + "]";
    }

    /**
     * Closes the supervisor's stdin (its watchdog kills the registry, the supervisor reaps it and
     * exits); falls back to killing the whole tree after {@link #STOP_GRACE}.
     */
    private static void stop(Process process) {
        try {
            process.getOutputStream().close();
        } catch (IOException ignored) {
            // already closed
        }
        try {
            if (!process.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                process.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /** Configures and starts a {@link RegistryServer}. */
    public static final class Builder {
        private RegistryAuth auth = RegistryAuth.none();
        private Path binary = Paths.get(System.getProperty(BINARY_PROPERTY, DEFAULT_BINARY));
        private Duration startTimeout = DEFAULT_START_TIMEOUT;
        private String logLevel = DEFAULT_LOG_LEVEL;
        private boolean tls;

        private Builder() {
        }

        /**
         * Serves HTTPS with a freshly generated CA and server certificate (see {@link RegistryServer#tls()});
         * default plain HTTP.
         *
         * @return this
         */
        public Builder tls() {
            this.tls = true;
            return this;
        }

        /**
         * @param auth auth mode (default anonymous)
         * @return this
         */
        public Builder auth(RegistryAuth auth) {
            this.auth = auth;
            return this;
        }

        /**
         * @param binary the {@code docker-registry} executable (default
         *               {@value RegistryServer#DEFAULT_BINARY} or {@code -Ddamselfly.registry.binary})
         * @return this
         */
        public Builder binary(Path binary) {
            this.binary = binary;
            return this;
        }

        /**
         * @param timeout how long to wait for {@code GET /v2/} (default 30 s)
         * @return this
         */
        public Builder startTimeout(Duration timeout) {
            this.startTimeout = timeout;
            return this;
        }

        /**
         * @param level Distribution log level: error, warn, info (default) or debug
         * @return this
         */
        public Builder logLevel(String level) {
            this.logLevel = level;
            return this;
        }

        /**
         * @return a running registry
         * @throws RegistryNotInstalledException when the binary is missing
         * @throws RegistryStartException        when it does not come up
         */
        public RegistryServer start() {
            if (!Files.isRegularFile(binary) || !Files.isExecutable(binary)) {
                throw new RegistryNotInstalledException(binary);
            }
            Path workDir = dev.damselfly.testkit.support.TempDirs.create("damselfly-registry-");
            try {
                Path storage = Files.createDirectory(workDir.resolve("storage"));
                TlsMaterial material = tls ? TlsMaterial.generate(workDir.resolve("tls")) : null;
                HttpClient.Builder httpBuilder = HttpClient.newBuilder()
                        .version(HttpClient.Version.HTTP_1_1)
                        .connectTimeout(Duration.ofSeconds(2));
                if (material != null) {
                    httpBuilder.sslContext(material.sslContext());
                }
                HttpClient http = httpBuilder.build();
                RegistryStartException last = null;
                for (int attempt = 1; attempt <= BIND_ATTEMPTS; attempt++) {
                    int port = FreePorts.loopbackPort();
                    Path config = RegistryConfigWriter.write(workDir, storage, port, auth, logLevel, material);
                    try {
                        return launch(workDir, storage, config, port, http, material);
                    } catch (RegistryStartException e) {
                        last = e;
                        if (!e.logs().contains("address already in use")) {
                            break;
                        }
                    }
                }
                throw last;
            } catch (IOException e) {
                TempDirs.deleteRecursively(workDir);
                throw new RegistryException("cannot prepare registry directory " + workDir, e);
            } catch (RuntimeException e) {
                TempDirs.deleteRecursively(workDir);
                throw e;
            }
        }

        private RegistryServer launch(Path workDir, Path storage, Path config, int port, HttpClient http, TlsMaterial material)
                throws IOException {
            Path pidFile = workDir.resolve(PID_FILE);
            Files.deleteIfExists(pidFile);
            ProcessBuilder pb = new ProcessBuilder("/bin/sh", "-c", SUPERVISOR, binary.toString(), config.toString(),
                    pidFile.toString()).directory(workDir.toFile());
            pb.environment().keySet().removeIf(k -> k.startsWith("REGISTRY_"));
            ProcessOutput output = new ProcessOutput();
            URI base = URI.create((material == null ? "http://" : "https://") + "127.0.0.1:" + port);
            AccessLog accessLog = new AccessLog(query -> http.send(
                    HttpRequest.newBuilder(base.resolve("/v2/?" + query)).timeout(Duration.ofSeconds(5)).GET().build(),
                    HttpResponse.BodyHandlers.discarding()));
            Process process = pb.start(); // stdin stays open: closing it (or our death) stops the registry
            output.follow("stdout", process.getInputStream(), accessLog::accept);
            output.follow("stderr", process.getErrorStream(), null);
            try {
                awaitReady(process, output, base, http, port);
                long pid = Long.parseLong(Files.readString(pidFile).trim());
                RegistryServer server = new RegistryServer(workDir, storage, config, port, auth, process, pid, output, accessLog, http, material);
                ShutdownSafetyNet.register(server);
                return server;
            } catch (RuntimeException | IOException e) {
                stop(process);
                output.awaitEof(2000);
                if (e instanceof RegistryStartException) {
                    throw (RegistryStartException) e;
                }
                throw new RegistryStartException("registry on port " + port + " failed to start: " + e, output.text(), e);
            }
        }

        private void awaitReady(Process process, ProcessOutput output, URI base, HttpClient http, int port) {
            long deadline = System.nanoTime() + startTimeout.toNanos();
            HttpRequest probe = HttpRequest.newBuilder(base.resolve("/v2/")).timeout(Duration.ofSeconds(1)).GET().build();
            Exception lastError = null;
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) {
                    output.awaitEof(2000);
                    throw new RegistryStartException("docker-registry on 127.0.0.1:" + port + " exited with code "
                            + process.exitValue() + " before answering /v2/", output.text(), null);
                }
                try {
                    int status = http.send(probe, HttpResponse.BodyHandlers.discarding()).statusCode();
                    if (status == 200 || status == 401) {
                        return;
                    }
                    lastError = new IOException("GET /v2/ answered " + status);
                } catch (IOException e) {
                    lastError = e;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new RegistryStartException("interrupted while waiting for the registry", output.text(), e);
                }
                try {
                    Thread.sleep(POLL_INTERVAL.toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new RegistryStartException("interrupted while waiting for the registry", output.text(), e);
                }
            }
            throw new RegistryStartException("docker-registry on 127.0.0.1:" + port + " did not answer GET /v2/ within "
                    + startTimeout.toMillis() + " ms (last: " + lastError + ")", output.text(), lastError);
        }
    }
}
