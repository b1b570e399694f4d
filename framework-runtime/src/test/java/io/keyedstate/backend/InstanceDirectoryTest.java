package io.keyedstate.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An instance's directory is removed by another instance only once the process that made it is
 * provably gone: its lock is free. Every container may be PID 1 on a shared volume, so neither the
 * name nor the PID decides.
 */
class InstanceDirectoryTest {

    private static final String PREFIX = "process-";

    /** Locks the file named by its argument, says so, and holds the lock until it is killed. */
    private static final String LOCK_HOLDER = """
            import java.nio.channels.FileChannel;
            import java.nio.file.Path;
            import java.nio.file.StandardOpenOption;

            public class LockHolder {
                public static void main(String[] args) throws Exception {
                    FileChannel channel = FileChannel.open(Path.of(args[0]), StandardOpenOption.WRITE);
                    if (channel.tryLock() == null) {
                        System.out.println("busy");
                        return;
                    }
                    System.out.println("locked");
                    Thread.sleep(120_000);
                }
            }
            """;

    @TempDir
    Path root;

    @Test
    void aDirectoryIsKeptWhileAnotherProcessHoldsItsLockAndRemovedOnceThatProcessIsKilled() throws Exception {
        // What a process on another host or in another container left: same layout, any PID.
        Path other = Files.createDirectories(root.resolve(PREFIX + "1-00000000000000aa"));
        Files.writeString(other.resolve(".lock"), "");
        Files.writeString(other.resolve("state"), "theirs");
        Path source = Files.writeString(root.resolve("LockHolder.java"), LOCK_HOLDER);
        Process holder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                source.toString(), other.resolve(".lock").toString()).redirectErrorStream(true).start();
        try {
            BufferedReader output = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
            assertThat(output.readLine()).isEqualTo("locked");

            assertThat(InstanceDirectory.deleteAbandoned(root, PREFIX)).isZero();
            assertThat(other.resolve("state")).exists();
        } finally {
            holder.destroyForcibly();
            assertThat(holder.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }

        assertThat(InstanceDirectory.deleteAbandoned(root, PREFIX)).isOne();
        assertThat(other).doesNotExist();
    }

    @Test
    void anUnlockedDirectoryIsRemovedAndOneOfThisProcessOrWithoutLockFileKept() throws Exception {
        Path abandoned = Files.createDirectories(root.resolve(PREFIX + "1-00000000000000bb"));
        Files.writeString(abandoned.resolve(".lock"), "");
        Path legacy = Files.createDirectories(root.resolve(PREFIX + "1")); // an earlier version's: no lock file
        Path unrelated = Files.createDirectories(root.resolve("other-1-00000000000000cc"));
        Files.writeString(unrelated.resolve(".lock"), "");
        try (InstanceDirectory own = InstanceDirectory.create(root, PREFIX)) {
            assertThat(InstanceDirectory.deleteAbandoned(root, PREFIX)).isOne();

            assertThat(abandoned).doesNotExist();
            assertThat(own.path()).isDirectory();
            assertThat(legacy).isDirectory();
            assertThat(unrelated).isDirectory();
        }
    }

    @Test
    void eachInstanceHasItsOwnDirectoryWhichCloseDeletes() throws Exception {
        try (InstanceDirectory first = InstanceDirectory.create(root, PREFIX);
                InstanceDirectory second = InstanceDirectory.create(root, PREFIX)) {
            assertThat(first.path()).isNotEqualTo(second.path());
            assertThat(first.path().getFileName().toString()).matches("process-" + ProcessHandle.current().pid()
                    + "-[0-9a-f]{16}");
            first.close();
            assertThat(first.path()).doesNotExist();
            assertThat(second.path()).isDirectory();
        }
        try (var left = Files.list(root)) {
            assertThat(left).isEmpty();
        }
    }

    @Test
    void theDirectoryIsTheOwnersOnly() throws Exception {
        assumeTrue(Files.getFileStore(root).supportsFileAttributeView(PosixFileAttributeView.class), "POSIX permissions");
        try (InstanceDirectory dir = InstanceDirectory.create(root, PREFIX)) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.path()))).isEqualTo("rwx------");
        }
    }
}
