package io.keyedstate.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.minio.BucketExistsArgs;
import io.minio.GetObjectArgs;
import io.minio.ListObjectsArgs;
import io.minio.MakeBucketArgs;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import io.minio.RemoveObjectsArgs;
import io.minio.Result;
import io.minio.StatObjectArgs;
import io.minio.StatObjectResponse;
import io.minio.errors.ErrorResponseException;
import io.minio.messages.DeleteError;
import io.minio.messages.DeleteObject;
import io.minio.messages.Item;

class S3ProxyServerTest {

    static S3ProxyServer server;
    static MinioClient client;

    @BeforeAll
    static void startServer() throws Exception {
        server = S3ProxyServer.shared();
        client = MinioClient.builder()
                .endpoint(server.endpoint())
                .region(server.region())
                .credentials(server.accessKey(), server.secretKey())
                .build();
    }

    @Test
    void sharedServerIsStartedOncePerJvm() {
        assertThat(S3ProxyServer.shared()).isSameAs(server);
        assertThat(server.isRunning()).isTrue();
        assertThat(server.endpoint()).startsWith("http://127.0.0.1:");
    }

    @Test
    void putGetAndStatRoundTripAnObject() throws Exception {
        String bucket = bucket("roundtrip");
        byte[] body = "hello, keyed state".getBytes(StandardCharsets.UTF_8);
        put(bucket, "app/words-0/chk-1/_manifest", body);

        StatObjectResponse stat = client.statObject(StatObjectArgs.builder().bucket(bucket).object("app/words-0/chk-1/_manifest").build());
        assertThat(stat.size()).isEqualTo(body.length);
        try (var in = client.getObject(GetObjectArgs.builder().bucket(bucket).object("app/words-0/chk-1/_manifest").build())) {
            assertThat(in.readAllBytes()).isEqualTo(body);
        }
    }

    @Test
    void listsMoreThanOnePageAndDeletesInBatch() throws Exception {
        String bucket = bucket("listing");
        int count = 1_050; // S3 lists at most 1,000 keys per page
        for (int i = 0; i < count; i++) {
            put(bucket, String.format("shared/sst-%05d", i), new byte[] { (byte) i });
        }
        assertThat(list(bucket, "shared/")).hasSize(count);

        List<DeleteObject> toDelete = new ArrayList<>();
        IntStream.range(0, count).forEach(i -> toDelete.add(new DeleteObject(String.format("shared/sst-%05d", i))));
        for (Result<DeleteError> error : client.removeObjects(RemoveObjectsArgs.builder().bucket(bucket).objects(toDelete).build())) {
            throw new AssertionError("delete failed: " + error.get().objectName() + " " + error.get().message());
        }
        assertThat(list(bucket, "shared/")).isEmpty();
    }

    @Test
    void rejectsWrongCredentials() throws Exception {
        MinioClient intruder = MinioClient.builder()
                .endpoint(server.endpoint())
                .region(server.region())
                .credentials(server.accessKey(), "not-the-secret")
                .build();
        assertThatThrownBy(() -> intruder.bucketExists(BucketExistsArgs.builder().bucket("any").build()))
                .isInstanceOf(ErrorResponseException.class);
    }

    private static String bucket(String name) throws Exception {
        client.makeBucket(MakeBucketArgs.builder().bucket(name).build());
        return name;
    }

    private static void put(String bucket, String object, byte[] body) throws Exception {
        client.putObject(PutObjectArgs.builder().bucket(bucket).object(object)
                .stream(new ByteArrayInputStream(body), body.length, -1).build());
    }

    private static List<String> list(String bucket, String prefix) throws Exception {
        List<String> names = new ArrayList<>();
        for (Result<Item> item : client.listObjects(ListObjectsArgs.builder().bucket(bucket).prefix(prefix).recursive(true).build())) {
            names.add(item.get().objectName());
        }
        return names;
    }
}
