package dev.damselfly.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code damselfly scheduler} as a real process: gRPC health says SERVING for the Scheduler service; SIGTERM stops it. */
class SchedulerCommandEndToEndTest {
    @TempDir
    Path work;

    @Test
    void servesHealthAndStopsOnSigterm() throws Exception {
        Path stderr = work.resolve("scheduler.err");
        Process scheduler = DamselflyProcess.start(stderr, "scheduler", "--listen", "127.0.0.1:0");
        try {
            String line = new BufferedReader(new InputStreamReader(scheduler.getInputStream(), StandardCharsets.UTF_8)).readLine();
            assertTrue(line != null && line.startsWith("listening on 127.0.0.1:"), line + "\n" + Files.readString(stderr));
            int port = Integer.parseInt(line.substring(line.lastIndexOf(':') + 1).trim());
            ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
            try {
                HealthCheckResponse health = HealthGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                        .check(HealthCheckRequest.newBuilder().setService("scheduler.v2.Scheduler").build());
                assertEquals(HealthCheckResponse.ServingStatus.SERVING, health.getStatus());
            } finally {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        } finally {
            scheduler.destroy();
            assertTrue(scheduler.waitFor(15, TimeUnit.SECONDS), "the scheduler stops on SIGTERM");
        }
    }
}
