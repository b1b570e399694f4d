package io.keyedstate.backend;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HexFormat;
import java.util.UUID;
import java.util.stream.Stream;

import org.jboss.logging.Logger;

/**
 * A local directory that belongs to one running instance of a backend, under a root that other
 * processes may share (a volume mounted by several containers, where every process may be PID 1).
 * Its name carries a random id, it is readable by its owner only where the file system has POSIX
 * permissions, and it holds a lock file that its instance keeps locked while it lives: a directory
 * whose lock can be taken belongs to a process that is gone (the operating system releases a
 * killed process's locks), and only such a directory is ever deleted by another instance.
 * <p>
 * The directory is prepared under a hidden name, locked, and only then renamed to its final name,
 * so no instance ever sees it unlocked. File locks are advisory and, on some network file systems,
 * unreliable: there, give each process a root of its own.
 */
public final class InstanceDirectory implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(InstanceDirectory.class);
    private static final String LOCK = ".lock";
    private static final String PREPARING = ".preparing-";

    private final Path path;
    private final FileChannel lockChannel;
    private final FileLock lock;

    private InstanceDirectory(Path path, FileChannel lockChannel, FileLock lock) {
        this.path = path;
        this.lockChannel = lockChannel;
        this.lock = lock;
    }

    /**
     * Creates, under {@code root}, a directory named {@code prefix} and a random id, owner-only,
     * locked for as long as this instance is open.
     */
    public static InstanceDirectory create(Path root, String prefix) throws IOException {
        Files.createDirectories(root);
        UUID random = UUID.randomUUID(); // no Random in a static field: a native image would fix its seed at build
        String id = ProcessHandle.current().pid() + "-"
                + HexFormat.of().toHexDigits(random.getMostSignificantBits() ^ random.getLeastSignificantBits());
        Path preparing = root.resolve(PREPARING + prefix + id);
        Path path = root.resolve(prefix + id);
        createOwnerOnly(preparing);
        FileChannel channel = FileChannel.open(preparing.resolve(LOCK), StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE);
        try {
            FileLock lock = channel.tryLock();
            if (lock == null) {
                throw new IOException("Cannot lock " + preparing.resolve(LOCK) + ", which was just created");
            }
            Files.move(preparing, path, StandardCopyOption.ATOMIC_MOVE); // the lock stays with the file
            return new InstanceDirectory(path, channel, lock);
        } catch (IOException | RuntimeException e) {
            channel.close();
            LocalFiles.deleteRecursively(preparing);
            throw e;
        }
    }

    /**
     * Deletes the directories named {@code prefix...} under {@code root} whose instance is provably
     * gone: their lock can be taken. A directory without a lock file (left by an earlier version,
     * or not made by this class) is kept, with a warning: nothing proves it unused.
     *
     * @return how many directories were deleted
     */
    public static int deleteAbandoned(Path root, String prefix) {
        if (!Files.isDirectory(root)) {
            return 0;
        }
        int deleted = 0;
        try (Stream<Path> dirs = Files.list(root)) {
            for (Path dir : (Iterable<Path>) dirs::iterator) {
                if (dir.getFileName().toString().startsWith(prefix) && Files.isDirectory(dir) && deleteIfAbandoned(dir)) {
                    deleted++;
                }
            }
        } catch (IOException e) {
            LOG.warnf("Could not look for directories of stopped processes under %s: %s", root, e.getMessage());
        }
        return deleted;
    }

    private static boolean deleteIfAbandoned(Path dir) {
        try (FileChannel channel = FileChannel.open(dir.resolve(LOCK), StandardOpenOption.WRITE)) {
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                return false; // held by this very process
            }
            if (lock == null) {
                return false; // held by a live process
            }
            try {
                LOG.infof("Deleting %s, left by a process that is gone", dir);
                LocalFiles.deleteRecursively(dir);
                return true;
            } finally {
                lock.release();
            }
        } catch (NoSuchFileException e) {
            if (!Files.exists(dir)) {
                return false; // another instance deleted it meanwhile
            }
            LOG.warnf("%s has no lock file, so nothing proves that no process uses it: kept. Delete it once no"
                    + " process uses it", dir);
        } catch (IOException e) {
            LOG.warnf("Could not check whether a live process uses %s: %s; kept", dir, e.getMessage());
        }
        return false;
    }

    /** Creates {@code dir}, readable, writable and searchable by its owner only where permissions are POSIX. */
    static void createOwnerOnly(Path dir) throws IOException {
        if (Files.getFileStore(dir.getParent()).supportsFileAttributeView(PosixFileAttributeView.class)) {
            FileAttribute<?> ownerOnly = PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));
            Files.createDirectory(dir, ownerOnly);
        } else {
            Files.createDirectory(dir);
        }
    }

    public Path path() {
        return path;
    }

    /** Deletes the directory, then releases its lock. */
    @Override
    public void close() {
        try {
            LocalFiles.deleteRecursively(path);
        } catch (IOException e) {
            LOG.warnf("Could not delete %s: %s", path, e.getMessage());
        } finally {
            try {
                lock.release();
                lockChannel.close();
            } catch (IOException e) {
                LOG.debugf("Could not release the lock of %s: %s", path, e.getMessage());
            }
        }
    }
}
