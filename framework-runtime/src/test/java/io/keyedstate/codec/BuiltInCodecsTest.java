package io.keyedstate.codec;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.keyedstate.StateCodec;

class BuiltInCodecsTest {

    record Order(String id, BigDecimal amount, List<String> items) {
    }

    @Test
    void everyBuiltInTypeRoundTrips() throws IOException {
        List<Object> values = List.of("héllo, wörld " + "x".repeat(70_000), 42L, -7, (short) 3, (byte) -1, 2.5d, 1.5f, true,
                'λ', UUID.randomUUID(), Instant.parse("2026-11-23T20:34:51.123456789Z"), new BigDecimal("-12345.6789"));
        for (Object value : values) {
            Object decoded = roundTrip(BuiltInCodecs.forType(rawClass(value)), value);
            assertThat(decoded).as(value.getClass().getName()).isEqualTo(value);
            assertThat(BuiltInCodecs.covers(value.getClass().getName())).isTrue();
        }
        byte[] bytes = { 0, 1, 2, (byte) 255 };
        byte[] decoded = roundTrip(BuiltInCodecs.forType(byte[].class), bytes);
        assertThat(decoded).containsExactly(bytes);
        assertThat(BuiltInCodecs.covers("[B")).isTrue();
    }

    @Test
    void fixedWidthNumbersAreCompact() throws IOException {
        assertThat(encode(BuiltInCodecs.forType(Long.class), 1L)).hasSize(8);
        assertThat(encode(BuiltInCodecs.forType(UUID.class), UUID.randomUUID())).hasSize(16);
    }

    @Test
    void recordsRoundTripThroughJackson() throws IOException {
        ObjectMapper mapper = new ObjectMapper();
        StateCodec<Order> codec = new JacksonStateCodec<>(mapper, mapper.constructType(Order.class));
        Order order = new Order("o-1", new BigDecimal("9.99"), List.of("book", "pen"));
        Order decoded = roundTrip(codec, order);
        assertThat(decoded).isEqualTo(order);
    }

    @SuppressWarnings("unchecked")
    private static <T> Class<T> rawClass(Object value) {
        return (Class<T>) value.getClass();
    }

    private static <T> byte[] encode(StateCodec<T> codec, T value) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        codec.encode(value, new DataOutputStream(bytes));
        return bytes.toByteArray();
    }

    @SuppressWarnings("unchecked")
    private static <T> T roundTrip(StateCodec<?> codec, Object value) throws IOException {
        byte[] bytes = encode((StateCodec<Object>) codec, value);
        return (T) codec.decode(new DataInputStream(new ByteArrayInputStream(bytes)));
    }
}
