package dev.damselfly.scheduler.client.validation;

import dev.damselfly.scheduler.proto.common.v2.CPU;
import dev.damselfly.scheduler.proto.common.v2.Disk;
import dev.damselfly.scheduler.proto.common.v2.Download;
import dev.damselfly.scheduler.proto.common.v2.Host;
import dev.damselfly.scheduler.proto.common.v2.Memory;
import dev.damselfly.scheduler.proto.common.v2.Piece;
import dev.damselfly.scheduler.proto.common.v2.Priority;
import dev.damselfly.scheduler.proto.common.v2.TaskType;
import dev.damselfly.scheduler.proto.scheduler.v2.AnnounceHostRequest;
import dev.damselfly.scheduler.proto.scheduler.v2.AnnouncePeerRequest;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.regex.Pattern;

/** Checks messages against the real scheduler's validation rules (spec §1.10). Stateless. */
public final class MessageValidator {
    /** Smallest piece length accepted when set, bytes (4 MiB). */
    public static final long MIN_PIECE_LENGTH = 4_194_304L;
    /** Largest piece length accepted when set, bytes (64 MiB). */
    public static final long MAX_PIECE_LENGTH = 67_108_864L;
    /** Lowest accepted host port. */
    public static final int MIN_PORT = 1024;
    /** Ports must be below this value. */
    public static final int PORT_LIMIT = 65535;
    /** Largest host type the Go validation allows. */
    public static final int MAX_HOST_TYPE = 3;

    private static final Pattern DIGEST = Pattern.compile(
            "^(md5:[a-fA-F0-9]{32}|sha1:[a-fA-F0-9]{40}|sha256:[a-fA-F0-9]{64}|sha512:[a-fA-F0-9]{128}"
                    + "|blake3:[a-fA-F0-9]{64}|crc32:[a-fA-F0-9]+)$");
    private static final Pattern IPV4 = Pattern.compile(
            "^((25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)$");
    private static final Pattern IPV6 = Pattern.compile("^[0-9a-fA-F:.]*:[0-9a-fA-F:.]*$");

    private MessageValidator() {
    }

    /** Validates one AnnouncePeer stream message. */
    public static void validate(AnnouncePeerRequest r) {
        String t = "AnnouncePeerRequest";
        nonEmpty(t, "host_id", r.getHostId());
        nonEmpty(t, "task_id", r.getTaskId());
        nonEmpty(t, "peer_id", r.getPeerId());
        switch (r.getRequestCase()) {
            case REGISTER_PEER_REQUEST:
                if (!r.getRegisterPeerRequest().hasDownload()) {
                    throw new InvalidMessageException("RegisterPeerRequest", "download", "required");
                }
                validate(r.getRegisterPeerRequest().getDownload());
                break;
            case DOWNLOAD_PEER_BACK_TO_SOURCE_STARTED_REQUEST:
                optionalNonEmpty("DownloadPeerBackToSourceStartedRequest", "description",
                        r.getDownloadPeerBackToSourceStartedRequest().hasDescription(),
                        r.getDownloadPeerBackToSourceStartedRequest().getDescription());
                break;
            case RESCHEDULE_PEER_REQUEST:
                optionalNonEmpty("ReschedulePeerRequest", "description",
                        r.getReschedulePeerRequest().hasDescription(), r.getReschedulePeerRequest().getDescription());
                break;
            case DOWNLOAD_PEER_FAILED_REQUEST:
                optionalNonEmpty("DownloadPeerFailedRequest", "description",
                        r.getDownloadPeerFailedRequest().hasDescription(), r.getDownloadPeerFailedRequest().getDescription());
                break;
            case DOWNLOAD_PEER_BACK_TO_SOURCE_FAILED_REQUEST:
                optionalNonEmpty("DownloadPeerBackToSourceFailedRequest", "description",
                        r.getDownloadPeerBackToSourceFailedRequest().hasDescription(),
                        r.getDownloadPeerBackToSourceFailedRequest().getDescription());
                break;
            case DOWNLOAD_PIECE_FINISHED_REQUEST:
                if (!r.getDownloadPieceFinishedRequest().hasPiece()) {
                    throw new InvalidMessageException("DownloadPieceFinishedRequest", "piece", "required");
                }
                validate(r.getDownloadPieceFinishedRequest().getPiece());
                break;
            case DOWNLOAD_PIECE_BACK_TO_SOURCE_FINISHED_REQUEST:
                if (!r.getDownloadPieceBackToSourceFinishedRequest().hasPiece()) {
                    throw new InvalidMessageException("DownloadPieceBackToSourceFinishedRequest", "piece", "required");
                }
                validate(r.getDownloadPieceBackToSourceFinishedRequest().getPiece());
                break;
            case DOWNLOAD_PIECE_FAILED_REQUEST:
                nonEmpty("DownloadPieceFailedRequest", "parent_id", r.getDownloadPieceFailedRequest().getParentId());
                break;
            case REQUEST_NOT_SET:
                throw new InvalidMessageException(t, "request", "one member of the oneof is required");
            default:
                break;
        }
    }

    /** Validates a Download description. */
    public static void validate(Download d) {
        String t = "Download";
        try {
            URI uri = new URI(d.getUrl());
            if (uri.getScheme() == null) {
                throw new InvalidMessageException(t, "url", "must be an absolute URI");
            }
        } catch (URISyntaxException e) {
            throw new InvalidMessageException(t, "url", "must be a URI: " + e.getMessage());
        }
        if (d.getType() == TaskType.UNRECOGNIZED) {
            throw new InvalidMessageException(t, "type", "must be a defined TaskType");
        }
        if (d.getPriority() == Priority.UNRECOGNIZED) {
            throw new InvalidMessageException(t, "priority", "must be a defined Priority");
        }
        if (d.hasDigest() && !d.getDigest().isEmpty() && !DIGEST.matcher(d.getDigest()).matches()) {
            throw new InvalidMessageException(t, "digest", "must be md5|sha1|sha256|sha512|blake3:<hex> or crc32:<hex>");
        }
        if (d.hasPieceLength() && (d.getPieceLength() < MIN_PIECE_LENGTH || d.getPieceLength() > MAX_PIECE_LENGTH)) {
            throw new InvalidMessageException(t, "piece_length", "must be within [4 MiB, 64 MiB], was " + d.getPieceLength());
        }
        optionalNonEmpty(t, "output_path", d.hasOutputPath(), d.getOutputPath());
        if (d.hasRemoteIp() && !isIp(d.getRemoteIp())) {
            throw new InvalidMessageException(t, "remote_ip", "must be an IP, was '" + d.getRemoteIp() + "'");
        }
    }

    /** Validates a Piece as carried in a *PieceFinished request. */
    public static void validate(Piece p) {
        String t = "Piece";
        if (p.hasParentId() && p.getParentId().isEmpty()) {
            throw new InvalidMessageException(t, "parent_id", "must be non-empty when set");
        }
        if (p.hasContent() && p.getContent().isEmpty()) {
            throw new InvalidMessageException(t, "content", "must be non-empty when set");
        }
        if (!p.hasCost()) {
            throw new InvalidMessageException(t, "cost", "required");
        }
        if (!p.hasCreatedAt()) {
            throw new InvalidMessageException(t, "created_at", "required");
        }
    }

    /** Validates an AnnounceHost request. */
    public static void validate(AnnounceHostRequest r) {
        if (!r.hasHost()) {
            throw new InvalidMessageException("AnnounceHostRequest", "host", "required");
        }
        validate(r.getHost());
    }

    /** Validates a Host. */
    public static void validate(Host h) {
        String t = "Host";
        nonEmpty(t, "id", h.getId());
        nonEmpty(t, "hostname", h.getHostname());
        if (!isIp(h.getIp())) {
            throw new InvalidMessageException(t, "ip", "must be an IP, was '" + h.getIp() + "'");
        }
        port(t, "port", h.getPort());
        port(t, "download_port", h.getDownloadPort());
        if (h.getType() > MAX_HOST_TYPE) {
            throw new InvalidMessageException(t, "type", "must be ≤ " + MAX_HOST_TYPE + ", was " + h.getType());
        }
        if (h.hasCpu()) {
            CPU c = h.getCpu();
            nonNegative("CPU", "percent", c.getPercent());
            nonNegative("CPU", "process_percent", c.getProcessPercent());
        }
        if (h.hasMemory()) {
            Memory m = h.getMemory();
            percent("Memory", "used_percent", m.getUsedPercent());
            percent("Memory", "process_used_percent", m.getProcessUsedPercent());
        }
        if (h.hasDisk()) {
            Disk d = h.getDisk();
            percent("Disk", "used_percent", d.getUsedPercent());
            percent("Disk", "inodes_used_percent", d.getInodesUsedPercent());
        }
    }

    /** True for a literal IPv4 or IPv6 address (no host names). */
    public static boolean isIp(String s) {
        if (s == null || s.isEmpty()) {
            return false;
        }
        if (IPV4.matcher(s).matches()) {
            return true;
        }
        if (!IPV6.matcher(s).matches()) {
            return false;
        }
        try {
            return java.net.InetAddress.getByName(s) instanceof java.net.Inet6Address;
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }

    private static void nonEmpty(String type, String field, String value) {
        if (value == null || value.isEmpty()) {
            throw new InvalidMessageException(type, field, "must be non-empty");
        }
    }

    private static void optionalNonEmpty(String type, String field, boolean present, String value) {
        if (present && value.isEmpty()) {
            throw new InvalidMessageException(type, field, "must be non-empty when set");
        }
    }

    private static void port(String type, String field, int port) {
        if (port < MIN_PORT || port >= PORT_LIMIT) {
            throw new InvalidMessageException(type, field, "must be in [1024, 65535), was " + port);
        }
    }

    private static void percent(String type, String field, double v) {
        if (!(v >= 0 && v <= 100)) {
            throw new InvalidMessageException(type, field, "must be within [0, 100], was " + v);
        }
    }

    private static void nonNegative(String type, String field, double v) {
        if (!(v >= 0)) {
            throw new InvalidMessageException(type, field, "must be ≥ 0, was " + v);
        }
    }
}
