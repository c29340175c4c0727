package dev.damselfly.peer.node.config;

import com.fasterxml.jackson.annotation.JsonMerge;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import dev.damselfly.scheduler.server.SchedulerConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything {@code damselfly node} can be told, as bound from its YAML file ({@code --config}) with
 * {@code --set key=value} overrides on top. Every field's comment says its unit and default; a file may leave
 * out any key. Sizes accept {@code 100MiB}-style text, durations {@code 30s}/{@code 5m}, rates are bytes per
 * second with 0 meaning unlimited. Ports follow the Rust dfdaemon (spec dragonfly.md §4.1).
 */
public final class NodeConfig {
    /** Piece store, blob cache and node state live here. Default {@code /var/lib/damselfly} for root, else {@code ~/.local/share/damselfly}. */
    public Path dataDir = defaultDataDir();
    /** How this node names itself to the scheduler and its peers. */
    @JsonMerge
    public Host host = new Host();
    /** Which scheduler to use. */
    @JsonMerge
    public Scheduler scheduler = new Scheduler();
    /** Serving pieces to other peers. */
    @JsonMerge
    public Upload upload = new Upload();
    /** Downloading pieces from peers and the origin. */
    @JsonMerge
    public Download download = new Download();
    /** The piece store's budget and garbage collection. */
    @JsonMerge
    public Storage storage = new Storage();
    /** The registry mirror and proxy. */
    @JsonMerge
    public Proxy proxy = new Proxy();
    /** Prometheus {@code GET /metrics}. Default 0.0.0.0:4002. */
    @JsonMerge
    public Endpoint metrics = new Endpoint("0.0.0.0", 4002);
    /** Health {@code GET /healthy} (probes, nydusd's ping_url). Default 0.0.0.0:4003. */
    @JsonMerge
    public Endpoint health = new Endpoint("0.0.0.0", 4003);
    /** Admin API {@code /api/v1/…}: status, tasks, peers, downloads for {@code damselfly get}. Default 127.0.0.1:4004 (local only). */
    @JsonMerge
    public Endpoint admin = new Endpoint("127.0.0.1", 4004);

    static Path defaultDataDir() {
        String env = System.getenv("DAMSELFLY_DATA_DIR");
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        if ("root".equals(System.getProperty("user.name"))) {
            return Path.of("/var/lib/damselfly");
        }
        return Path.of(System.getProperty("user.home"), ".local", "share", "damselfly");
    }

    /** {@code host.*}. */
    public static final class Host {
        /** Advertised data-plane IP. Default "" = the first non-loopback IPv4 address (127.0.0.1 if none). */
        public String ip = "";
        /** Host name in the host id {@code {ip}-{hostname}}. Default "" = the system host name. */
        public String hostname = "";
        /** IDC for the scheduler's affinity. Default "" = none. */
        public String idc = "";
        /** Location {@code a|b|c} for the scheduler's affinity. Default "" = none. */
        public String location = "";
        /** Announce as a seed peer (host type 1). Default false. */
        public boolean seed = false;
        /** Upload capacity announced as max_tx_bandwidth, bits per second ({@code 10Gbit}). Default 10 Gbit/s. */
        @JsonDeserialize(using = ConfigValues.Bits.class)
        public long uploadBandwidth = 10_000_000_000L;
    }

    /** {@code scheduler.*}. */
    public static final class Scheduler {
        /** Dragonfly v2 scheduler addresses {@code host:port}. Default empty = run the embedded scheduler. */
        public List<String> addresses = new ArrayList<>();
        /** Where the embedded scheduler listens (only when {@code addresses} is empty). Default 0.0.0.0:8002. */
        public String embeddedListen = "0.0.0.0:8002";
        /**
         * Edges the embedded scheduler allows between a task's peers: {@code MESH} (two peers may serve each other the
         * pieces the other lacks) or {@code DAG} (Dragonfly's scheduler: no edge that closes a cycle, so a peer that
         * joined late never serves the earlier ones). Default MESH.
         */
        public SchedulerConfig.ParentGraph embeddedParentGraph = SchedulerConfig.ParentGraph.MESH;
        /**
         * Most peers of one task the embedded scheduler lets read it from the origin at once when a later peer stripes
         * it (reads the pieces nobody has from the far end, while the first reader's host also reads other tasks; the
         * origin still sends each piece about once); 1 = never stripe; only with a MESH. Default 2.
         */
        public int embeddedSourceStripes = SchedulerConfig.DEFAULT_SOURCE_STRIPES;
        /** Period of AnnounceHost. Default 5m. */
        @JsonDeserialize(using = ConfigValues.Time.class)
        public Duration announceInterval = Duration.ofMinutes(5);
        /** Longest wait for the scheduler's answer to a download registration. Default 30s. */
        @JsonDeserialize(using = ConfigValues.Time.class)
        public Duration scheduleTimeout = Duration.ofSeconds(30);
    }

    /** {@code upload.*}. */
    public static final class Upload {
        /** Bind address of the gRPC and Vortex servers. Default 0.0.0.0. */
        public String listen = "0.0.0.0";
        /** DfdaemonUpload gRPC port (SyncPieces, SyncHost). Default 4000. */
        public int grpcPort = 4000;
        /** Vortex TCP piece port. Default 4005. */
        public int vortexPort = 4005;
        /** Upload limit, bytes per second ({@code 100MiB}). Default 0 = unlimited. */
        @JsonDeserialize(using = ConfigValues.Size.class)
        public long rateLimit = 0;
        /**
         * Pieces served at once; more are answered "busy" (the child backs off and asks again or elsewhere). Default
         * 8 ({@link dev.damselfly.exchange.vortex.VortexPieceServer#DEFAULT_MAX_CONCURRENT_UPLOADS}).
         */
        public int maxConcurrent = dev.damselfly.exchange.vortex.VortexPieceServer.DEFAULT_MAX_CONCURRENT_UPLOADS;
        /**
         * First copies first: while other pieces are being sent, a request for a piece this node is sending to another
         * child, or sent less than this long ago, is deflected (the child asks for another piece, and gets this one
         * from the child that has it). Default 2s
         * ({@link dev.damselfly.exchange.vortex.VortexPieceServer#DEFAULT_REPEAT_HOLD}); 0 = serve every request.
         */
        @JsonDeserialize(using = ConfigValues.Time.class)
        public Duration repeatHold = dev.damselfly.exchange.vortex.VortexPieceServer.DEFAULT_REPEAT_HOLD;
        /** TEST ONLY: fraction (0.0-1.0) of uploaded pieces whose bytes are corrupted on the wire. Default 0. */
        public double testCorruptRatio = 0;
    }

    /** {@code download.*}. */
    public static final class Download {
        /** Pieces in flight per task. Default 8 (Dragonfly's default). */
        public int concurrentPieceCount = 8;
        /** Deadline for one piece from a parent. Default 360s. */
        @JsonDeserialize(using = ConfigValues.Time.class)
        public Duration pieceTimeout = Duration.ofSeconds(360);
        /** Download limit, bytes per second. Default 0 = unlimited. */
        @JsonDeserialize(using = ConfigValues.Size.class)
        public long rateLimit = 0;
        /** Fetching from the origin registry. */
        @JsonMerge
    public BackToSource backToSource = new BackToSource();
    }

    /** {@code download.backToSource.*}. */
    public static final class BackToSource {
        /** Whether pieces no peer has may come from the origin. Default true. */
        public boolean enabled = true;
        /** Range GETs to the origin at once, per task. Default 8. */
        public int concurrency = 8;
        /** Origin limit, bytes per second. Default 0 = unlimited. */
        @JsonDeserialize(using = ConfigValues.Size.class)
        public long rateLimit = 0;
        /**
         * How far past a local in-order reader's place (a client's stream, the task's SHA-256) a task read from the
         * origin in order may fetch the pieces that reader will read, bytes ({@code 32MiB}); at least 4 pieces. 0 = no
         * bound. Default 32 MiB.
         */
        @JsonDeserialize(using = ConfigValues.Size.class)
        public long aheadOfReaders = 32L << 20;
    }

    /** {@code storage.*}. */
    public static final class Storage {
        /** Disk budget in bytes ({@code 50GiB}). Default 0 = 90% of the data directory's file system. */
        @JsonDeserialize(using = ConfigValues.Size.class)
        public long capacity = 0;
        /** Start garbage collection above this fraction of the budget. Default 0.9. */
        public double highWatermark = 0.9;
        /** Collect down to this fraction. Default 0.8. */
        public double lowWatermark = 0.8;
        /**
         * Sync RocksDB's log on every committed piece too. Piece bytes are always forced to disk before their record
         * is written, so without this a crash can only forget recent pieces (fetched again), never serve bad ones;
         * Dragonfly runs with it off. Default false.
         */
        public boolean syncMetadata = false;
        /**
         * Check every read from disk against the piece's CRC-32 (uploads to peers included). Off: only the first read
         * after an unclean stop is checked, and children, containerd and mounts still verify what they receive.
         * Default true.
         */
        public boolean verifyEveryRead = true;
        /**
         * Write whole, block-aligned pieces with direct I/O ({@code O_DIRECT}) and read them back the same way for
         * checks and for streams to local clients (the admin download API, HTTPS-intercepted proxy responses),
         * bypassing the page cache: far less CPU per byte stored, and the page cache is left to what is read again
         * (zero-copy sends to peers and plain-HTTP proxy clients go through it). Used only where the file system accepts it (probed at start). Default true.
         */
        public boolean directIo = true;
        /**
         * Memory (direct buffers) for pieces just written, kept for the reads that follow a write: a local client
         * streaming the blob while it downloads, children asking for the piece, the task's SHA-256. Those reads then
         * skip the disk (the bytes were checked before they were written). Least recently used goes first; 0 keeps
         * none. Default 64MiB.
         */
        @JsonDeserialize(using = ConfigValues.Size.class)
        public long recentPieces = 64L << 20;
        /** Drop tasks unused for this long. Default 0 = never. */
        @JsonDeserialize(using = ConfigValues.Time.class)
        public Duration taskTtl = Duration.ZERO;
    }

    /** {@code proxy.*}. */
    public static final class Proxy {
        /** Serve the registry mirror and proxy. Default true. */
        public boolean enabled = true;
        /** Bind address. Default 0.0.0.0. */
        public String listen = "0.0.0.0";
        /** Port. Default 4001. */
        public int port = 4001;
        /** Registry for mirror requests naming none (docker's registry-mirrors). Default "" = docker.io when listed, else none. */
        public String defaultRegistry = "";
        /** The only registries reachable through the proxy; anything else gets 403. Default docker.io. */
        public List<Registry> registries = new ArrayList<>(List.of(new Registry("docker.io", "https://registry-1.docker.io")));
        /** Regexes of URLs whose GETs go peer-to-peer. Default {@code blobs/sha256.*}. */
        public List<Rule> rules = new ArrayList<>(List.of(new Rule("blobs/sha256.*")));
        /** How long a registry's yes/no to a client's credentials for a repository is trusted. Default 60s. */
        @JsonDeserialize(using = ConfigValues.Time.class)
        public Duration authCacheTtl = Duration.ofSeconds(60);
        /**
         * When the registry cannot be reached at all, serve blobs from this node and its peers without the registry's
         * per-client authorization (an explicit 401/403/404 still refuses). Availability over the check while the
         * registry is down. Default false.
         */
        public boolean servePeersWhenRegistryUnreachable = false;
        /**
         * Requests per second allowed per client IP address, averaged (a token bucket per address); more are answered
         * {@code 429 Too Many Requests} with {@code Retry-After}. {@code /healthy} is exempt. Default 0 = no limit.
         */
        public double requestRateLimit = 0;
        /** Requests one client address may send at once before {@code requestRateLimit} applies. Default 0 = the limit rounded up. */
        public int requestRateBurst = 0;
        /**
         * Bytes of a blob of its own that the node fetches through its mirror once at start, before the mirror takes
         * clients (a loopback origin, a scratch piece store, nothing announced), so that a freshly started node serves
         * its first cache miss with its data path compiled rather than while the JVM compiles it ({@code 64MiB}; a
         * start takes about 0.7 s longer). 0 = off. Default 64 MiB.
         */
        @JsonDeserialize(using = ConfigValues.Size.class)
        public long warmUp = 64L << 20;
        /** Terminating HTTPS of CONNECT tunnels to chosen registries, so their blobs can go peer-to-peer. Default off. */
        @JsonMerge
        public HttpsInterception httpsInterception = new HttpsInterception();
    }

    /**
     * {@code proxy.httpsInterception.*}: CONNECTs to the listed registries are answered by the node itself, with a
     * certificate for the registry's host signed by the interception CA, which clients (docker's {@code https-proxy},
     * nydusd's proxy without {@code use_http}) must trust. Other allowed registries stay raw tunnels.
     */
    public static final class HttpsInterception {
        /** Registries to intercept: names from {@code proxy.registries} or their upstream {@code host[:port]} (port 443 when left out). Default none = off. */
        public List<String> hosts = new ArrayList<>();
        /** The operator's CA certificate, a PEM file; set together with {@code caKey}. Default "" = a CA generated by the node. */
        public String caCert = "";
        /** The operator's CA private key, an unencrypted PEM file (PKCS#8 or traditional). Default "". */
        public String caKey = "";
        /**
         * Where the generated CA is kept ({@code ca.pem}, distribute it to clients; {@code ca-key.pem}, mode 0600) and found
         * again on later starts. Default "" = {@code {dataDir}/proxy-ca}.
         */
        public String caDir = "";
    }

    /** One upstream registry: {@code name} as in image references, {@code url} where it is served. */
    public static final class Registry {
        public String name;
        public String url;

        public Registry() {
        }

        public Registry(String name, String url) {
            this.name = name;
            this.url = url;
        }
    }

    /** One P2P rule: a regex matched against the URL without its query. */
    public static final class Rule {
        public String regex;

        public Rule() {
        }

        public Rule(String regex) {
            this.regex = regex;
        }
    }

    /** A listening address. */
    public static final class Endpoint {
        /** Bind address. */
        public String listen;
        /** Port; 0 picks a free one. */
        public int port;

        public Endpoint() {
        }

        public Endpoint(String listen, int port) {
            this.listen = listen;
            this.port = port;
        }
    }
}
