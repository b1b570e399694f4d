package io.keyedstate.checkpoint;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * What a checkpoint holds: written last, its presence makes the checkpoint complete. JSON through
 * Jackson's tree model, so nothing needs reflection in a native image.
 *
 * @param id the checkpoint's folder name, {@code chk-<n>-g<generation>}
 * @param n the checkpoint's sequence number in its partition, increasing across owners
 * @param generation the consumer-group generation of the owner that wrote it
 * @param savepoint whether it is a savepoint (full, never deleted by retention)
 * @param origin the savepoint this lineage of checkpoints started from, or null
 * @param backend the state backend that wrote the files
 * @param offsets per input partition ({@code topic-partition}), the next offset to process: the
 *        state holds the effect of every record before it and of none after it
 * @param timestamps per input partition, the largest record timestamp before the barrier, from which
 *        the partition's event-time watermark resumes
 * @param codecs per state, its codecs' versions
 * @param files every file, with its size and CRC32C
 * @param uploadedBytes the bytes this checkpoint wrote; the rest it shares with earlier ones
 */
public record CheckpointManifest(String id, long n, int generation, boolean savepoint, String origin, String backend,
        Instant createdAt, Map<String, Long> offsets, Map<String, Long> timestamps, Map<String, String> codecs, List<FileEntry> files,
        long uploadedBytes) {

    public static final String NAME = "_manifest";
    private static final int FORMAT = 1;
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * One file of the snapshot.
     *
     * @param name the file's local name in the snapshot
     * @param location where it is stored, relative to the partition's folder ({@code shared/...}),
     *        for a file shared between checkpoints; null for a file in the checkpoint's own folder
     *        or in the manifest
     * @param inline the file's content, for a file small enough to be stored in the manifest; or null
     */
    public record FileEntry(String name, long size, long crc32c, String location, byte[] inline) {

        /** A file stored in the checkpoint's own folder ({@code location} null) or under {@code shared/}. */
        public FileEntry(String name, long size, long crc32c, String location) {
            this(name, size, crc32c, location, null);
        }

        /** A file stored in the manifest. */
        public static FileEntry inline(String name, byte[] content) {
            CRC32C crc = new CRC32C();
            crc.update(content);
            return new FileEntry(name, content.length, crc.getValue(), null, content);
        }

        public boolean isShared() {
            return location != null;
        }

        public boolean isInline() {
            return inline != null;
        }

        /** Whether the file outlives its checkpoint's folder, so a later checkpoint may reference it. */
        public boolean isReusable() {
            return isShared() || isInline();
        }
    }

    public byte[] toJson() {
        ObjectNode root = JSON.createObjectNode();
        root.put("format", FORMAT);
        root.put("id", id);
        root.put("n", n);
        root.put("generation", generation);
        root.put("savepoint", savepoint);
        if (origin != null) {
            root.put("origin", origin);
        }
        root.put("backend", backend);
        root.put("createdAt", createdAt.toString());
        root.put("uploadedBytes", uploadedBytes);
        ObjectNode offsetsNode = root.putObject("offsets");
        offsets.forEach(offsetsNode::put);
        if (!timestamps.isEmpty()) {
            ObjectNode timestampsNode = root.putObject("timestamps");
            timestamps.forEach(timestampsNode::put);
        }
        ObjectNode codecsNode = root.putObject("codecs");
        codecs.forEach(codecsNode::put);
        ArrayNode filesNode = root.putArray("files");
        for (FileEntry file : files) {
            ObjectNode fileNode = filesNode.addObject().put("name", file.name()).put("size", file.size())
                    .put("crc32c", file.crc32c());
            if (file.isShared()) {
                fileNode.put("location", file.location());
            }
            if (file.isInline()) {
                fileNode.put("inline", file.inline()); // base64
            }
        }
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root);
        } catch (IOException e) {
            throw new IllegalStateException("Cannot write checkpoint manifest " + id, e);
        }
    }

    public static CheckpointManifest fromJson(byte[] json) throws IOException {
        JsonNode root = JSON.readTree(json);
        if (root == null || root.path("format").asInt() != FORMAT) {
            throw new IOException("not a checkpoint manifest of format " + FORMAT);
        }
        Map<String, Long> offsets = new LinkedHashMap<>();
        root.path("offsets").fields().forEachRemaining(field -> offsets.put(field.getKey(), field.getValue().asLong()));
        Map<String, Long> timestamps = new LinkedHashMap<>();
        root.path("timestamps").fields()
                .forEachRemaining(field -> timestamps.put(field.getKey(), field.getValue().asLong()));
        Map<String, String> codecs = new LinkedHashMap<>();
        root.path("codecs").fields().forEachRemaining(field -> codecs.put(field.getKey(), field.getValue().asText()));
        List<FileEntry> files = new ArrayList<>();
        for (JsonNode file : root.path("files")) {
            JsonNode location = file.get("location");
            JsonNode inline = file.get("inline");
            files.add(new FileEntry(required(file, "name").asText(), required(file, "size").asLong(),
                    required(file, "crc32c").asLong(), location == null ? null : location.asText(),
                    inline == null ? null : inline.binaryValue()));
        }
        JsonNode origin = root.get("origin");
        return new CheckpointManifest(required(root, "id").asText(), required(root, "n").asLong(),
                required(root, "generation").asInt(), root.path("savepoint").asBoolean(),
                origin == null ? null : origin.asText(), required(root, "backend").asText(),
                Instant.parse(required(root, "createdAt").asText()), offsets, timestamps, codecs, files,
                root.path("uploadedBytes").asLong());
    }

    private static JsonNode required(JsonNode node, String field) throws IOException {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            throw new IOException("the manifest lacks '" + field + "'");
        }
        return value;
    }

    public long totalBytes() {
        return files.stream().mapToLong(FileEntry::size).sum();
    }
}
