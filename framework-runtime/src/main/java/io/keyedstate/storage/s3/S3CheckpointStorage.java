package io.keyedstate.storage.s3;

import java.io.IOException;
import java.io.InputStream;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

import org.jboss.logging.Logger;

import io.keyedstate.storage.CheckpointStorage;
import io.keyedstate.storage.StorageUnavailableException;
import io.minio.BucketExistsArgs;
import io.minio.DownloadObjectArgs;
import io.minio.GetObjectArgs;
import io.minio.ListObjectsArgs;
import io.minio.MakeBucketArgs;
import io.minio.MinioAsyncClient;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import io.minio.RemoveObjectsArgs;
import io.minio.Result;
import io.minio.UploadObjectArgs;
import io.minio.errors.ErrorResponseException;
import io.minio.messages.DeleteError;
import io.minio.messages.DeleteObject;
import io.minio.messages.Item;
import io.minio.messages.ListMultipartUploadsResult;
import io.minio.messages.Upload;
import okhttp3.ConnectionPool;
import okhttp3.Dispatcher;
import okhttp3.OkHttpClient;

/**
 * Checkpoints in a bucket of any S3-compatible store (MinIO, AWS S3, Ceph, ...), through the MinIO
 * client. Files go up in parts of {@code partSize}, streamed from disk; a single PUT makes the
 * manifest appear whole or not at all. Transient failures (I/O, 5xx, throttling) are retried with
 * exponential backoff; a missing object is reported as {@link NoSuchFileException}, like a file.
 * <p>
 * Over 300 lines because every storage operation, its retries and the mapping of S3's errors to
 * the storage contract's belong to one S3 client.
 */
public final class S3CheckpointStorage implements CheckpointStorage {

    private static final Logger LOG = Logger.getLogger(S3CheckpointStorage.class);
    private static final long FIRST_BACKOFF_MILLIS = 100;

    private final S3Settings settings;
    private final MinioClient client;
    /** For the multipart-upload listing and abort, which only the asynchronous client offers. */
    private final MinioAsyncClient asyncClient;
    private final OkHttpClient http;

    public S3CheckpointStorage(S3Settings settings) {
        this.settings = settings;
        Dispatcher dispatcher = new Dispatcher();
        // MinIO's own client allows 5 requests per host: parallel uploads would queue behind it.
        dispatcher.setMaxRequests(settings.connections());
        dispatcher.setMaxRequestsPerHost(settings.connections());
        OkHttpClient.Builder http = new OkHttpClient.Builder()
                .dispatcher(dispatcher)
                .connectionPool(new ConnectionPool(settings.connections(), 5, TimeUnit.MINUTES))
                .connectTimeout(settings.connectTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .readTimeout(settings.requestTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .writeTimeout(settings.requestTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .retryOnConnectionFailure(true);
        if (settings.trustStore() != null) {
            X509TrustManager trust = trustManager(settings.trustStore());
            http.sslSocketFactory(sslContext(trust).getSocketFactory(), trust);
        }
        this.http = http.build();
        this.client = MinioClient.builder()
                .endpoint(settings.endpoint())
                .region(settings.region())
                .credentialsProvider(settings.credentials())
                .httpClient(this.http)
                .build();
        this.asyncClient = MinioAsyncClient.builder()
                .endpoint(settings.endpoint())
                .region(settings.region())
                .credentialsProvider(settings.credentials())
                .httpClient(this.http)
                .build();
        if (settings.pathStyle()) {
            client.disableVirtualStyleEndpoint();
            asyncClient.disableVirtualStyleEndpoint();
        } else {
            client.enableVirtualStyleEndpoint();
            asyncClient.enableVirtualStyleEndpoint();
        }
    }

    private static X509TrustManager trustManager(KeyStore trustStore) {
        try {
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(trustStore);
            for (TrustManager manager : factory.getTrustManagers()) {
                if (manager instanceof X509TrustManager x509) {
                    return x509;
                }
            }
            throw new IllegalStateException("The trust store yields no X.509 trust manager");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Cannot use the trust store for the S3 endpoint: " + e.getMessage(), e);
        }
    }

    private static SSLContext sslContext(X509TrustManager trust) {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] { trust }, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Cannot set up TLS for the S3 endpoint: " + e.getMessage(), e);
        }
    }

    /**
     * Aborts the multipart uploads under this storage's prefix that started before {@code before}.
     * A failed upload is aborted by the client, but one of a process that was killed or cut off
     * keeps its parts in the store, out of every listing and billed, until it is aborted. Newer
     * uploads may belong to a checkpoint another instance is taking right now.
     *
     * @return how many uploads were aborted
     */
    public int abortIncompleteUploads(Instant before) throws IOException {
        String prefix = settings.prefix().isEmpty() ? null : settings.prefix() + "/";
        return call("abort incomplete uploads under " + describe(), () -> {
            int aborted = 0;
            String keyMarker = null;
            String uploadIdMarker = null;
            ListMultipartUploadsResult page;
            do {
                page = await(asyncClient.listMultipartUploadsAsync(settings.bucket(), null, null, null, keyMarker, null,
                        prefix, uploadIdMarker, null, null)).result();
                for (Upload upload : page.uploads()) {
                    if (upload.initiated() != null && upload.initiated().toInstant().isBefore(before)) {
                        await(asyncClient.abortMultipartUploadAsync(settings.bucket(), null, upload.objectName(),
                                upload.uploadId(), null, null));
                        aborted++;
                    }
                }
                keyMarker = page.nextKeyMarker();
                uploadIdMarker = page.nextUploadIdMarker();
            } while (page.isTruncated());
            if (aborted > 0) {
                LOG.infof("Aborted %d incomplete multipart uploads under %s, left by a process that stopped mid-checkpoint",
                        aborted, describe());
            }
            return aborted;
        });
    }

    /**
     * Checks that the bucket is reachable, creating it if it is missing and allowed to: at startup,
     * so that wrong credentials or endpoints fail there, not at the first checkpoint.
     */
    public void verifyBucket() throws IOException {
        call("check bucket " + settings.bucket(), () -> {
            if (!client.bucketExists(BucketExistsArgs.builder().bucket(settings.bucket()).build())) {
                if (!settings.createBucket()) {
                    throw new IOException("Bucket '" + settings.bucket() + "' does not exist at " + settings.endpoint()
                            + " and quarkus.keyed-state.checkpoint.s3.create-bucket is false");
                }
                try {
                    client.makeBucket(MakeBucketArgs.builder().bucket(settings.bucket()).region(settings.region()).build());
                    LOG.infof("Created bucket '%s' at %s for checkpoints", settings.bucket(), settings.endpoint());
                } catch (ErrorResponseException e) {
                    // Another instance of the application, starting at the same time, created it first.
                    if (!"BucketAlreadyOwnedByYou".equals(e.errorResponse().code())) {
                        throw e;
                    }
                }
            }
            return null;
        });
    }

    @Override
    public void write(String path, Path source) throws IOException {
        String key = key(path);
        call("upload " + key, () -> client.uploadObject(UploadObjectArgs.builder().bucket(settings.bucket()).object(key)
                .filename(source.toString(), settings.partSize()).build()));
    }

    @Override
    public void writeAtomically(String path, byte[] content) throws IOException {
        String key = key(path);
        call("put " + key, () -> client.putObject(PutObjectArgs.builder().bucket(settings.bucket()).object(key)
                .stream(new ByteArrayInputStream(content), content.length, -1).build()));
    }

    @Override
    public void read(String path, Path target) throws IOException {
        String key = key(path);
        call("download " + key, () -> {
            Files.deleteIfExists(target);
            client.downloadObject(DownloadObjectArgs.builder().bucket(settings.bucket()).object(key)
                    .filename(target.toString()).overwrite(true).build());
            return null;
        });
    }

    @Override
    public byte[] read(String path) throws IOException {
        String key = key(path);
        return call("get " + key, () -> {
            try (InputStream in = client.getObject(GetObjectArgs.builder().bucket(settings.bucket()).object(key).build())) {
                return in.readAllBytes();
            }
        });
    }

    @Override
    public List<String> list(String folder) throws IOException {
        String prefix = key(folder) + "/";
        return call("list " + prefix, () -> {
            List<String> names = new ArrayList<>();
            for (Result<Item> result : client.listObjects(ListObjectsArgs.builder().bucket(settings.bucket())
                    .prefix(prefix).delimiter("/").build())) {
                String name = result.get().objectName().substring(prefix.length());
                names.add(name.endsWith("/") ? name.substring(0, name.length() - 1) : name);
            }
            names.sort(null);
            return names;
        });
    }

    @Override
    public java.time.Instant lastModified(String path) throws IOException {
        String key = key(path);
        return call("stat " + key, () -> client.statObject(io.minio.StatObjectArgs.builder().bucket(settings.bucket())
                .object(key).build()).lastModified().toInstant());
    }

    @Override
    public void delete(String path) throws IOException {
        String key = key(path);
        call("delete " + key, () -> {
            client.removeObject(io.minio.RemoveObjectArgs.builder().bucket(settings.bucket()).object(key).build());
            return null;
        });
    }

    @Override
    public void deleteAll(String folder) throws IOException {
        String prefix = key(folder) + "/";
        call("delete " + prefix, () -> {
            List<DeleteObject> objects = new ArrayList<>();
            for (Result<Item> result : client.listObjects(ListObjectsArgs.builder().bucket(settings.bucket())
                    .prefix(prefix).recursive(true).build())) {
                objects.add(new DeleteObject(result.get().objectName()));
            }
            if (!objects.isEmpty()) {
                for (Result<DeleteError> error : client.removeObjects(RemoveObjectsArgs.builder()
                        .bucket(settings.bucket()).objects(objects).build())) {
                    DeleteError failed = error.get();
                    throw new IOException("Could not delete " + failed.objectName() + ": " + failed.message());
                }
            }
            return null;
        });
    }

    @Override
    public String describe() {
        return "s3://" + settings.bucket() + (settings.prefix().isEmpty() ? "" : "/" + settings.prefix());
    }

    @Override
    public void close() {
        http.dispatcher().executorService().shutdown();
        http.connectionPool().evictAll();
    }

    private String key(String path) {
        if (path.startsWith("/") || path.contains("..")) {
            throw new IllegalArgumentException("Checkpoint path " + path + " is not a relative path");
        }
        return settings.prefix().isEmpty() ? path : settings.prefix() + "/" + path;
    }

    /** The result of an asynchronous call, failing with its own exception, as a synchronous call would. */
    private static <T> T await(CompletableFuture<T> future) throws Exception {
        try {
            return future.get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            while (cause instanceof CompletionException && cause.getCause() != null) {
                cause = cause.getCause();
            }
            throw cause instanceof Exception exception ? exception : e;
        }
    }

    private interface S3Call<T> {
        T call() throws Exception;
    }

    private <T> T call(String what, S3Call<T> operation) throws IOException {
        long backoff = FIRST_BACKOFF_MILLIS;
        for (int attempt = 1;; attempt++) {
            try {
                return operation.call();
            } catch (ErrorResponseException e) {
                String code = e.errorResponse().code();
                if ("NoSuchKey".equals(code)) {
                    throw new NoSuchFileException(describe() + "/" + what.substring(what.indexOf(' ') + 1));
                }
                boolean isTransient = isTransient(e.response() == null ? 0 : e.response().code(), code);
                if (!isTransient) {
                    throw new IOException("S3 " + what + " failed: " + code + " " + e.errorResponse().message(), e);
                }
                if (attempt >= settings.attempts()) {
                    throw new StorageUnavailableException("S3 " + what + " failed: " + code + " " + e.errorResponse().message(),
                            e);
                }
            } catch (IOException | io.minio.errors.ServerException e) {
                if (e instanceof NoSuchFileException) {
                    throw (NoSuchFileException) e;
                }
                if (attempt >= settings.attempts()) {
                    throw new StorageUnavailableException("S3 " + what + " failed: " + e.getMessage(), e);
                }
            } catch (InterruptedException e) {
                // Whoever waits for the call gave up on it (a restore abandoned): not a storage error.
                Thread.currentThread().interrupt();
                throw (IOException) new java.io.InterruptedIOException("S3 " + what + " interrupted").initCause(e);
            } catch (Exception e) {
                throw new IOException("S3 " + what + " failed: " + e.getMessage(), e);
            }
            LOG.debugf("S3 %s failed (attempt %d of %d); retrying in %d ms", what, attempt, settings.attempts(), backoff);
            try {
                Thread.sleep(backoff);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("Interrupted while retrying S3 " + what, e);
            }
            backoff = Math.min(backoff * 2, 5_000);
        }
    }

    private static boolean isTransient(int status, String code) {
        return status >= 500 || status == 429 || "SlowDown".equals(code) || "RequestTimeout".equals(code)
                || "InternalError".equals(code);
    }
}
