package io.keyedstate.it.recovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Stream;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;

/**
 * RocksDB and the S3 client are optional dependencies of the extension. The packaged sample with
 * their jars taken out of its {@code lib} still processes on the heap with filesystem
 * checkpoints; configured for RocksDB or S3, it fails at start and names the dependencies to add.
 */
@QuarkusTest
class WithoutRocksDbAndS3Test {

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    private final Path workDir = Path.of("target", "recovery");

    @Test
    void theHeapAndFilesystemNeedNeitherAndTheOthersNameWhatToAdd() throws Exception {
        try (WordCountRun run = new WordCountRun(bootstrapServers, workDir)) {
            Path jar = sampleWithout(run.logs.resolveSibling("lean-app-" + run.logs.getFileName()), "org.rocksdb.rocksdbjni-",
                    "io.minio.minio-", "com.squareup.okhttp3.okhttp");
            run.startProducing(100, 400);
            try (SampleAppProcess heap = SampleAppProcess.start("lean-heap", run.appConfig("heap", "lean"), run.logs, jar)) {
                run.awaitNewCounts(200, Duration.ofMinutes(3), heap);
            }
            run.stopProducing();

            Map<String, String> rocksdb = run.appConfig("rocksdb", "lean-rocksdb");
            try (SampleAppProcess app = SampleAppProcess.start("lean-rocksdb", rocksdb, run.logs, jar)) {
                await().atMost(Duration.ofMinutes(2)).until(() -> !app.isAlive());
                assertThat(app.log()).contains("quarkus.keyed-state.backend=rocksdb needs RocksDB, which the application"
                        + " does not have").contains("<groupId>org.rocksdb</groupId><artifactId>rocksdbjni</artifactId>");
            }

            Map<String, String> s3 = run.appConfig("heap", "lean-s3");
            s3.put("quarkus.keyed-state.checkpoint.storage", "s3");
            s3.put("quarkus.keyed-state.checkpoint.s3.endpoint", "http://127.0.0.1:9");
            s3.put("quarkus.keyed-state.checkpoint.s3.bucket", "checkpoints");
            try (SampleAppProcess app = SampleAppProcess.start("lean-s3", s3, run.logs, jar)) {
                await().atMost(Duration.ofMinutes(2)).until(() -> !app.isAlive());
                assertThat(app.log()).contains("quarkus.keyed-state.checkpoint.storage=s3 needs the MinIO S3 client")
                        .contains("<artifactId>minio</artifactId>").contains("<artifactId>okhttp-jvm</artifactId>");
            }
        }
    }

    /** A copy of the packaged sample (hard links where the file system has them) without the jars named. */
    private static Path sampleWithout(Path copy, String... jarPrefixes) throws IOException {
        Path app = SampleAppProcess.JAR.getParent();
        try (Stream<Path> files = Files.walk(app)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Path target = copy.resolve(app.relativize(file).toString());
                String name = file.getFileName().toString();
                if (Files.isDirectory(file)) {
                    Files.createDirectories(target);
                } else if (Stream.of(jarPrefixes).noneMatch(name::startsWith)) {
                    try {
                        Files.createLink(target, file);
                    } catch (IOException | UnsupportedOperationException e) {
                        Files.copy(file, target);
                    }
                }
            }
        }
        try (Stream<Path> left = Files.list(copy.resolve("lib").resolve("main"))) {
            assertThat(left.map(path -> path.getFileName().toString()))
                    .noneMatch(name -> Stream.of(jarPrefixes).anyMatch(name::startsWith));
        }
        return copy.resolve("quarkus-run.jar");
    }
}
