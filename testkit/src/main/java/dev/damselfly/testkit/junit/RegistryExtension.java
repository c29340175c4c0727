package dev.damselfly.testkit.junit;

import dev.damselfly.testkit.proxy.FaultInjectingProxy;
import dev.damselfly.testkit.registry.Credentials;
import dev.damselfly.testkit.registry.RegistryAuth;
import dev.damselfly.testkit.registry.RegistryServer;
import dev.damselfly.testkit.token.TokenServer;
import java.net.URI;
import java.util.Optional;
import java.util.function.Consumer;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.LifecycleMethodExecutionExceptionHandler;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;

/**
 * Starts a real registry for a test class and stops it afterwards:
 * <pre>{@code
 * @RegisterExtension
 * static RegistryExtension registry = RegistryExtension.anonymous();      // or .htpasswd(u, p), .token()
 * ... registry.hostPort(), registry.server().accessLog(), registry.tokenServer() ...
 * }</pre>
 * In a {@code static} field the registry lives for the class (nested classes share it); in an
 * instance field it lives for each test. {@link #withFaultProxy()} adds a
 * {@link FaultInjectingProxy} in front; its rules are cleared after every test. When a test or a
 * lifecycle method fails, the last {@value #DEFAULT_LOG_TAIL_LINES} lines of the registry output are
 * printed to stderr and attached to the failure as a suppressed {@link RegistryLogs}.
 */
public final class RegistryExtension implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback,
        TestExecutionExceptionHandler, LifecycleMethodExecutionExceptionHandler {

    /** Lines of registry output attached to failures by default: {@value}. */
    public static final int DEFAULT_LOG_TAIL_LINES = 200;

    private enum Mode { ANONYMOUS, HTPASSWD, TOKEN }

    private final Mode mode;
    private final Credentials credentials;
    private final Consumer<TokenServer.Builder> tokenCustomizer;
    private boolean withProxy;
    private int logTailLines = DEFAULT_LOG_TAIL_LINES;

    private RegistryServer server;
    private TokenServer tokenServer;
    private FaultInjectingProxy proxy;
    private int classDepth;
    private boolean perTest;

    private RegistryExtension(Mode mode, Credentials credentials, Consumer<TokenServer.Builder> tokenCustomizer) {
        this.mode = mode;
        this.credentials = credentials;
        this.tokenCustomizer = tokenCustomizer;
    }

    /** @return an extension for an anonymous registry */
    public static RegistryExtension anonymous() {
        return new RegistryExtension(Mode.ANONYMOUS, null, null);
    }

    /**
     * @param user     htpasswd user
     * @param password its password
     * @return an extension for a registry with Basic auth
     */
    public static RegistryExtension htpasswd(String user, String password) {
        return new RegistryExtension(Mode.HTPASSWD, new Credentials(user, password), null);
    }

    /**
     * @return an extension for a registry with bearer tokens from a {@link TokenServer} that knows
     *         {@link TokenServer#DEFAULT_USER}/{@link TokenServer#DEFAULT_PASSWORD} (all actions)
     */
    public static RegistryExtension token() {
        return token(b -> { });
    }

    /**
     * @param customizer adjusts the token server builder after the default user was added (more
     *                   users, anonymous access, grants, lifetime, key identification)
     * @return an extension for a registry with bearer tokens
     */
    public static RegistryExtension token(Consumer<TokenServer.Builder> customizer) {
        return new RegistryExtension(Mode.TOKEN, new Credentials(TokenServer.DEFAULT_USER, TokenServer.DEFAULT_PASSWORD), customizer);
    }

    /** @return this, also starting a {@link FaultInjectingProxy} in front of the registry */
    public RegistryExtension withFaultProxy() {
        this.withProxy = true;
        return this;
    }

    /**
     * @param lines lines of registry output to attach to failures (default 200)
     * @return this
     */
    public RegistryExtension logTailLines(int lines) {
        this.logTailLines = lines;
        return this;
    }

    /** @return the running registry */
    public RegistryServer server() {
        return require(server, "registry");
    }

    /** @return the token server (token mode only) */
    public TokenServer tokenServer() {
        if (mode != Mode.TOKEN) {
            throw new IllegalStateException("this RegistryExtension is " + mode + ", not TOKEN: there is no token server");
        }
        return require(tokenServer, "token server");
    }

    /** @return the fault-injecting proxy (after {@link #withFaultProxy()}) */
    public FaultInjectingProxy proxy() {
        if (!withProxy) {
            throw new IllegalStateException("call withFaultProxy() when registering the extension to get a proxy");
        }
        return require(proxy, "proxy");
    }

    /** @return the registry's {@code 127.0.0.1:PORT} */
    public String hostPort() {
        return server().hostPort();
    }

    /** @return the registry's {@code http://127.0.0.1:PORT} */
    public URI baseUri() {
        return server().baseUri();
    }

    /** @return the htpasswd user, or the token server's default user; empty when anonymous */
    public Optional<Credentials> credentials() {
        return Optional.ofNullable(credentials);
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        if (classDepth++ == 0) {
            start();
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (--classDepth == 0) {
            stop();
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        if (server == null) {
            perTest = true;
            start();
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        if (perTest) {
            perTest = false;
            stop();
        } else if (proxy != null) {
            proxy.clearRules();
        }
    }

    @Override
    public void handleTestExecutionException(ExtensionContext context, Throwable throwable) throws Throwable {
        throw attachLogs(throwable);
    }

    @Override
    public void handleBeforeAllMethodExecutionException(ExtensionContext context, Throwable throwable) throws Throwable {
        throw attachLogs(throwable);
    }

    @Override
    public void handleBeforeEachMethodExecutionException(ExtensionContext context, Throwable throwable) throws Throwable {
        throw attachLogs(throwable);
    }

    @Override
    public void handleAfterEachMethodExecutionException(ExtensionContext context, Throwable throwable) throws Throwable {
        throw attachLogs(throwable);
    }

    @Override
    public void handleAfterAllMethodExecutionException(ExtensionContext context, Throwable throwable) throws Throwable {
        throw attachLogs(throwable);
    }

    private Throwable attachLogs(Throwable throwable) {
        if (server != null) {
            String tail = server.logsTail(logTailLines);
            System.err.println("damselfly-testkit: test failed, last " + logTailLines + " lines of " + server + ":\n" + tail);
            throwable.addSuppressed(new RegistryLogs(server.toString(), tail));
        }
        return throwable;
    }

    private void start() {
        try {
            RegistryAuth auth;
            switch (mode) {
                case HTPASSWD -> auth = RegistryAuth.htpasswd(credentials.username(), credentials.password());
                case TOKEN -> {
                    TokenServer.Builder builder = TokenServer.builder().user(credentials.username(), credentials.password());
                    tokenCustomizer.accept(builder);
                    tokenServer = builder.start();
                    auth = RegistryAuth.token(tokenServer);
                }
                default -> auth = RegistryAuth.none();
            }
            server = RegistryServer.start(auth);
            if (withProxy) {
                proxy = FaultInjectingProxy.start(server);
            }
        } catch (RuntimeException e) {
            stop();
            throw e;
        }
    }

    private void stop() {
        if (proxy != null) {
            proxy.close();
            proxy = null;
        }
        if (server != null) {
            server.close();
            server = null;
        }
        if (tokenServer != null) {
            tokenServer.close();
            tokenServer = null;
        }
    }

    private static <T> T require(T value, String what) {
        if (value == null) {
            throw new IllegalStateException(what + " is not running: use the extension from a test (after beforeAll/beforeEach)");
        }
        return value;
    }
}
