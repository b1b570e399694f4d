package io.keyedstate.storage.filesystem;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

import io.keyedstate.storage.CheckpointStorage;

/**
 * Checkpoints in a directory: local disk, or a volume every instance mounts. Files are fsynced
 * before they count, each new folder is fsynced with its parent, and every file, the manifest
 * last, appears by an atomic rename of a fully written, fsynced temp file followed by an fsync of
 * its folder, so a crash leaves either the whole manifest or none, and never a manifest whose
 * files or folders are lost.
 */
public final class FilesystemCheckpointStorage implements CheckpointStorage {

    private final Path root;

    public FilesystemCheckpointStorage(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    @Override
    public void write(String path, Path source) throws IOException {
        Path target = resolve(path);
        createDirectories(target.getParent());
        Path temp = temp(target);
        try {
            Files.copy(source, temp, StandardCopyOption.REPLACE_EXISTING);
            fsync(temp);
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            // The rename too: a file under shared/ is not in the checkpoint's folder, whose fsync the manifest makes.
            fsyncDirectory(target.getParent());
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    @Override
    public void writeAtomically(String path, byte[] content) throws IOException {
        Path target = resolve(path);
        createDirectories(target.getParent());
        Path temp = temp(target);
        try {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                java.nio.ByteBuffer buffer = java.nio.ByteBuffer.wrap(content);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                channel.force(true);
            }
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            fsyncDirectory(target.getParent());
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    @Override
    public void read(String path, Path target) throws IOException {
        Files.copy(resolve(path), target, StandardCopyOption.REPLACE_EXISTING);
    }

    @Override
    public byte[] read(String path) throws IOException {
        return Files.readAllBytes(resolve(path));
    }

    @Override
    public List<String> list(String folder) throws IOException {
        Path dir = resolve(folder);
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.map(entry -> entry.getFileName().toString())
                    .filter(name -> !name.startsWith(".tmp-"))
                    .sorted()
                    .toList();
        } catch (NoSuchFileException e) {
            return List.of();
        }
    }

    @Override
    public java.time.Instant lastModified(String path) throws IOException {
        return Files.getLastModifiedTime(resolve(path)).toInstant();
    }

    @Override
    public void delete(String path) throws IOException {
        Files.deleteIfExists(resolve(path));
    }

    @Override
    public void deleteAll(String folder) throws IOException {
        Path dir = resolve(folder);
        if (!Files.exists(dir)) {
            return;
        }
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
                Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path directory, IOException failure) throws IOException {
                if (failure != null) {
                    throw failure;
                }
                Files.deleteIfExists(directory);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    @Override
    public String describe() {
        return root.toString();
    }

    private Path resolve(String path) {
        Path resolved = root.resolve(path).normalize();
        if (!resolved.startsWith(root)) {
            throw new IllegalArgumentException("Checkpoint path " + path + " leaves " + root);
        }
        return resolved;
    }

    /**
     * Creates {@code dir} and any missing parent, making each new one durable: fsynced itself and
     * in its parent, so that a crash cannot lose the folder of a file whose own fsync returned.
     */
    private static void createDirectories(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            return;
        }
        Path parent = dir.getParent();
        if (parent != null) {
            createDirectories(parent);
        }
        try {
            Files.createDirectory(dir);
        } catch (FileAlreadyExistsException e) {
            if (!Files.isDirectory(dir)) {
                throw e;
            }
            // Another writer created it, and may not have made it durable yet: fsynced below too.
        }
        fsyncDirectory(dir);
        if (parent != null) {
            fsyncDirectory(parent);
        }
    }

    private static Path temp(Path target) {
        return target.resolveSibling(".tmp-" + target.getFileName() + "-" + UUID.randomUUID());
    }

    private static void fsync(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.force(true);
        }
    }

    /** Makes a rename in {@code dir} durable; some file systems cannot open a directory, and need not. */
    private static void fsyncDirectory(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            // Directory fsync is unsupported here (e.g. some network file systems); the rename stands.
        }
    }
}
