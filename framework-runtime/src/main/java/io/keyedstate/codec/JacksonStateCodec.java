package io.keyedstate.codec;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.keyedstate.StateCodec;

/**
 * Records and POJOs as length-prefixed JSON: self-describing, so that adding a field to a value
 * class keeps old checkpoints readable.
 */
public final class JacksonStateCodec<T> implements StateCodec<T> {

    private final ObjectMapper mapper;
    private final JavaType type;

    public JacksonStateCodec(ObjectMapper mapper, JavaType type) {
        this.mapper = mapper;
        this.type = type;
    }

    @Override
    public void encode(T value, DataOutput out) throws IOException {
        BuiltInCodecs.writeBytes(out, mapper.writeValueAsBytes(value));
    }

    @Override
    public T decode(DataInput in) throws IOException {
        return mapper.readValue(BuiltInCodecs.readBytes(in), type);
    }
}
