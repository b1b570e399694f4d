package io.keyedstate.checkpoint;

import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.zip.CRC32C;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.keyedstate.state.StateKind;
import io.keyedstate.state.StateSchema;

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
 * @param states every state the shard had when the checkpoint was taken, with how it is stored.
 *        Manifests written before this was recorded have a {@code codecs} map instead (per state,
 *        {@code valueType@version} or {@code keyType@version -> valueType@version}), read as states
 *        whose kind (but maps), codecs and ttl are unknown
 * @param files every file, with its size and CRC32C
 * @param uploadedBytes the bytes this checkpoint wrote; the rest it shares with earlier ones
 * @param topicIds per input topic, the Kafka topic id it had when the checkpoint was taken, as far
 *        as it could be read: a topic with another id now was deleted and created again, and the
 *        offsets belong to the one that is gone. Empty in manifests written before ids were
 *        recorded, or when they could not be read
 * <p>
 * Over 300 lines because the manifest's JSON form, written and read, with the checks that every
 * field decodes, is one format and belongs in one place.
 */
public record CheckpointManifest(String id, long n, int generation, boolean savepoint, String origin, String backend,
        Instant createdAt, Map<String, Long> offsets, Map<String, Long> timestamps, List<StateEntry> states, List<FileEntry> files,
        long uploadedBytes, Map<String, String> topicIds) {

    public static final String NAME = "_manifest";
    /** The largest file a manifest may list: 1 TiB. */
    public static final long MAX_FILE_BYTES = 1L << 40;
    private static final String SHARED = "shared/";
    private static final String MAP_ARROW = " -> ";
    private static final int FORMAT = 1;
    private static final ObjectMapper JSON = new ObjectMapper();
    /** A Kafka topic id as {@code Uuid.toString()} writes it: 16 bytes in URL-safe base64, unpadded. */
    private static final java.util.regex.Pattern TOPIC_ID = java.util.regex.Pattern.compile("[A-Za-z0-9_-]{22}");

    /** A manifest that records no topic ids. */
    public CheckpointManifest(String id, long n, int generation, boolean savepoint, String origin, String backend,
            Instant createdAt, Map<String, Long> offsets, Map<String, Long> timestamps, List<StateEntry> states,
            List<FileEntry> files, long uploadedBytes) {
        this(id, n, generation, savepoint, origin, backend, createdAt, offsets, timestamps, states, files, uploadedBytes,
                Map.of());
    }

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

    /**
     * One state of the shard.
     *
     * @param empty whether the shard held no entry of it: false when not known
     */
    public record StateEntry(StateSchema schema, boolean empty) {
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
        if (!topicIds.isEmpty()) {
            ObjectNode topicIdsNode = root.putObject("topicIds");
            topicIds.forEach(topicIdsNode::put);
        }
        ArrayNode statesNode = root.putArray("states");
        states.forEach(state -> writeState(statesNode.addObject(), state));
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

    /**
     * Reads a manifest, trusting nothing in it: file names must be plain names, a shared file's
     * location {@code shared/<plain name>}, sizes between 0 and {@value #MAX_FILE_BYTES}, the id a
     * checkpoint folder name, offsets non-negative, topic ids (if any) Kafka topic ids of named
     * topics. Whatever fails these checks was not written by
     * {@link #toJson()}: the manifest is damaged (or tampered with), never restored from.
     *
     * @throws IOException naming the first field found wrong
     */
    public static CheckpointManifest fromJson(byte[] json) throws IOException {
        JsonNode root = JSON.readTree(json);
        if (root == null || !root.isObject() || root.path("format").asInt() != FORMAT) {
            throw new IOException("not a checkpoint manifest of format " + FORMAT);
        }
        String id = text(root, "id");
        if (CheckpointId.parse(id).isEmpty()) {
            throw new IOException("id '" + id + "' is not a checkpoint folder name (chk-<n>-g<generation>)");
        }
        long n = number(root, "n", 0, Long.MAX_VALUE);
        int generation = (int) number(root, "generation", Integer.MIN_VALUE, Integer.MAX_VALUE);
        JsonNode savepoint = root.path("savepoint");
        if (!savepoint.isMissingNode() && !savepoint.isBoolean()) {
            throw new IOException("savepoint is not true or false");
        }
        String origin = root.has("origin") ? text(root, "origin") : null;
        Instant createdAt;
        try {
            createdAt = Instant.parse(text(root, "createdAt"));
        } catch (DateTimeParseException e) {
            throw new IOException("createdAt is not an instant: " + e.getMessage());
        }
        Map<String, Long> offsets = partitionNumbers(required(root, "offsets"), "offsets", 0);
        Map<String, Long> timestamps = root.has("timestamps")
                ? partitionNumbers(root.get("timestamps"), "timestamps", Long.MIN_VALUE)
                : new LinkedHashMap<>();
        Map<String, String> topicIds = root.has("topicIds") ? topicIds(root.get("topicIds")) : new LinkedHashMap<>();
        List<StateEntry> states = new ArrayList<>();
        if (root.has("states")) {
            JsonNode statesNode = root.get("states");
            if (!statesNode.isArray()) {
                throw new IOException("states is not an array");
            }
            Set<String> ids = new HashSet<>();
            for (int i = 0; i < statesNode.size(); i++) {
                StateEntry state = readState(statesNode.get(i), "states[" + i + "].");
                if (!ids.add(state.schema().id())) {
                    throw new IOException("states[" + i + "].id '" + state.schema().id() + "' is listed twice");
                }
                states.add(state);
            }
        } else if (root.has("codecs")) {
            JsonNode codecsNode = object(root.get("codecs"), "codecs");
            for (Map.Entry<String, JsonNode> codec : (Iterable<Map.Entry<String, JsonNode>>) codecsNode::fields) {
                states.add(readCodecsEntry(codec.getKey(), text(codecsNode, codec.getKey(), "codecs.")));
            }
        }
        JsonNode filesNode = required(root, "files");
        if (!filesNode.isArray()) {
            throw new IOException("files is not an array");
        }
        List<FileEntry> files = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < filesNode.size(); i++) {
            FileEntry file = file(filesNode.get(i), "files[" + i + "].");
            if (!names.add(file.name())) {
                throw new IOException("files[" + i + "].name '" + file.name() + "' is listed twice");
            }
            files.add(file);
        }
        long uploadedBytes = root.has("uploadedBytes") ? number(root, "uploadedBytes", 0, Long.MAX_VALUE) : 0;
        return new CheckpointManifest(id, n, generation, savepoint.asBoolean(), origin, text(root, "backend"), createdAt,
                offsets, timestamps, states, files, uploadedBytes, topicIds);
    }

    private static Map<String, String> topicIds(JsonNode node) throws IOException {
        object(node, "topicIds");
        Map<String, String> ids = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> entry : (Iterable<Map.Entry<String, JsonNode>>) node::fields) {
            String id = text(node, entry.getKey(), "topicIds.");
            if (entry.getKey().isEmpty() || !TOPIC_ID.matcher(id).matches()) {
                throw new IOException("topicIds names '" + entry.getKey() + "' with '" + id
                        + "', which is not a topic with a Kafka topic id");
            }
            ids.put(entry.getKey(), id);
        }
        return ids;
    }

    private static void writeState(ObjectNode node, StateEntry entry) {
        StateSchema state = entry.schema();
        node.put("id", state.id()).put("bean", state.beanClass()).put("field", state.field()).put("name", state.name())
                .put("kind", state.kind().name().toLowerCase(Locale.ROOT));
        if (state.value() != null) {
            writeCodec(node.putObject("value"), state.value());
        }
        if (state.mapKey() != null) {
            writeCodec(node.putObject("mapKey"), state.mapKey());
        }
        node.put("ttlMillis", state.ttlMillis());
        node.put("empty", entry.empty());
    }

    private static void writeCodec(ObjectNode node, StateSchema.Codec codec) {
        node.put("type", codec.type()).put("codec", codec.codec()).put("version", codec.version());
    }

    private static StateEntry readState(JsonNode node, String at) throws IOException {
        object(node, at.substring(0, at.length() - 1));
        String kind = text(node, "kind", at);
        StateKind parsed;
        try {
            parsed = StateKind.valueOf(kind.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IOException(at + "kind '" + kind + "' is not a kind of state");
        }
        JsonNode empty = node.path("empty");
        if (!empty.isMissingNode() && !empty.isBoolean()) {
            throw new IOException(at + "empty is not true or false");
        }
        StateSchema schema = new StateSchema(text(node, "id", at), text(node, "bean", at), text(node, "field", at),
                text(node, "name", at), parsed, readCodec(node, "value", at), readCodec(node, "mapKey", at),
                number(node, "ttlMillis", at, 0, Long.MAX_VALUE));
        return new StateEntry(schema, empty.asBoolean(false));
    }

    private static StateSchema.Codec readCodec(JsonNode state, String field, String at) throws IOException {
        if (!state.has(field)) {
            return null;
        }
        String codecAt = at + field + ".";
        JsonNode node = object(state.get(field), at + field);
        return new StateSchema.Codec(text(node, "type", codecAt), text(node, "codec", codecAt),
                (int) number(node, "version", codecAt, Integer.MIN_VALUE, Integer.MAX_VALUE));
    }

    /** A state as manifests of the first format recorded it: only its types and codec versions. */
    private static StateEntry readCodecsEntry(String id, String codecs) throws IOException {
        int arrow = codecs.indexOf(MAP_ARROW);
        StateSchema.Codec value = typeAtVersion(arrow < 0 ? codecs : codecs.substring(arrow + MAP_ARROW.length()));
        StateSchema.Codec mapKey = arrow < 0 ? null : typeAtVersion(codecs.substring(0, arrow));
        return new StateEntry(new StateSchema(id, null, null, null, arrow < 0 ? null : StateKind.MAP, value, mapKey,
                StateSchema.UNKNOWN_TTL), false);
    }

    private static StateSchema.Codec typeAtVersion(String text) throws IOException {
        int at = text.lastIndexOf('@');
        try {
            return new StateSchema.Codec(text.substring(0, at), null, Integer.parseInt(text.substring(at + 1)));
        } catch (RuntimeException e) {
            throw new IOException("codecs has an entry '" + text + "' that is not type@version");
        }
    }

    private static FileEntry file(JsonNode node, String at) throws IOException {
        object(node, at.substring(0, at.length() - 1));
        String name = text(node, "name", at);
        if (!StorageNames.isPlainFileName(name)) {
            throw new IOException(at + "name '" + name + "' is not a plain file name");
        }
        long size = number(node, "size", at, 0, MAX_FILE_BYTES);
        long crc32c = number(node, "crc32c", at, 0, 0xFFFF_FFFFL);
        String location = node.has("location") ? text(node, "location", at) : null;
        if (location != null && !(location.startsWith(SHARED) && StorageNames.isPlainFileName(location.substring(SHARED.length())))) {
            throw new IOException(at + "location '" + location + "' is not " + SHARED + "<plain file name>");
        }
        byte[] inline = null;
        if (node.has("inline")) {
            JsonNode content = node.get("inline");
            inline = content.isTextual() ? content.binaryValue() : null; // base64
            if (inline == null || inline.length != size || location != null) {
                throw new IOException(at + "inline is not base64 of " + size + " bytes in place of a stored file");
            }
        }
        return new FileEntry(name, size, crc32c, location, inline);
    }

    private static JsonNode required(JsonNode node, String field) throws IOException {
        return required(node, field, "");
    }

    private static JsonNode required(JsonNode node, String field, String at) throws IOException {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            throw new IOException("the manifest lacks '" + at + field + "'");
        }
        return value;
    }

    private static JsonNode object(JsonNode node, String at) throws IOException {
        if (!node.isObject()) {
            throw new IOException(at + " is not an object");
        }
        return node;
    }

    private static String text(JsonNode node, String field) throws IOException {
        return text(node, field, "");
    }

    private static String text(JsonNode node, String field, String at) throws IOException {
        JsonNode value = required(node, field, at);
        if (!value.isTextual()) {
            throw new IOException(at + field + " is not a string");
        }
        return value.asText();
    }

    private static long number(JsonNode node, String field, long min, long max) throws IOException {
        return number(node, field, "", min, max);
    }

    private static long number(JsonNode node, String field, String at, long min, long max) throws IOException {
        JsonNode value = required(node, field, at);
        if (!value.isIntegralNumber() || !value.canConvertToLong() || value.asLong() < min || value.asLong() > max) {
            throw new IOException(at + field + " " + value + " is not a whole number from " + min + " to " + max);
        }
        return value.asLong();
    }

    /** Numbers per input partition ({@code <topic>-<partition>}), each at least {@code min}. */
    private static Map<String, Long> partitionNumbers(JsonNode node, String field, long min) throws IOException {
        object(node, field);
        Map<String, Long> numbers = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> entry : (Iterable<Map.Entry<String, JsonNode>>) node::fields) {
            if (!isTopicPartition(entry.getKey())) {
                throw new IOException(field + " names '" + entry.getKey() + "', which is not <topic>-<partition>");
            }
            numbers.put(entry.getKey(), number(node, entry.getKey(), field + ".", min, Long.MAX_VALUE));
        }
        return numbers;
    }

    private static boolean isTopicPartition(String name) {
        int dash = name.lastIndexOf('-');
        try {
            return dash > 0 && Integer.parseInt(name.substring(dash + 1)) >= 0;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    public long totalBytes() {
        return files.stream().mapToLong(FileEntry::size).sum();
    }
}
