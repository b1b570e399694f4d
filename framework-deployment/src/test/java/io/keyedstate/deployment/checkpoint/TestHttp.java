package io.keyedstate.deployment.checkpoint;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import org.eclipse.microprofile.config.ConfigProvider;

/** Requests to the test application, on its main port or its management interface, whatever port they got. */
final class TestHttp {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private TestHttp() {
    }

    /** @param server {@code http} (the main port) or {@code management} */
    static HttpResponse<String> send(String server, String method, String path) throws Exception {
        int port = ConfigProvider.getConfig().getValue("quarkus." + server + ".test-port", Integer.class);
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .method(method, HttpRequest.BodyPublishers.noBody()).build();
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    }
}
