import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Puts to an etcd v3 cluster from C concurrent clients, as redis-benchmark SET does to a Redis
 * server: N requests in all, keys "key:" + random(0..R-1), D-byte values; prints one CSV line
 * "etcd-put,<rps>,<errors>". Through etcd's HTTP/JSON gateway (/v3/kv/put), one keep-alive
 * connection per client: the only etcd client on this machine's package list (no Go benchmark
 * tool is packaged), so etcd pays a JSON-to-gRPC step per request that its own gRPC clients
 * would not; say so next to the numbers.
 *
 * usage: java EtcdPutLoad.java URL CLIENTS REQUESTS KEYSPACE VALUE_BYTES
 */
public class EtcdPutLoad {
    public static void main(String[] args) throws Exception {
        if (args.length != 5) {
            System.err.println("usage: java EtcdPutLoad.java URL CLIENTS REQUESTS KEYSPACE VALUE_BYTES");
            System.exit(2);
        }
        String url = args[0] + "/v3/kv/put";
        int clients = Integer.parseInt(args[1]);
        long requests = Long.parseLong(args[2]);
        int keyspace = Integer.parseInt(args[3]);
        String value = Base64.getEncoder().encodeToString("x".repeat(Integer.parseInt(args[4])).getBytes());
        AtomicLong left = new AtomicLong(requests);
        AtomicLong errors = new AtomicLong();
        Thread[] threads = new Thread[clients];
        long start = System.nanoTime();
        for (int c = 0; c < clients; c++) {
            threads[c] = new Thread(() -> {
                HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                        .connectTimeout(Duration.ofSeconds(5)).build();
                while (left.getAndDecrement() > 0) {
                    String key = Base64.getEncoder().encodeToString(
                            ("key:" + ThreadLocalRandom.current().nextInt(keyspace)).getBytes());
                    HttpRequest put = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                            .POST(HttpRequest.BodyPublishers.ofString("{\"key\":\"" + key + "\",\"value\":\"" + value + "\"}"))
                            .build();
                    try {
                        HttpResponse<String> r = http.send(put, HttpResponse.BodyHandlers.ofString());
                        if (r.statusCode() != 200) {
                            errors.incrementAndGet();
                        }
                    } catch (Exception e) {
                        errors.incrementAndGet();
                    }
                }
            });
            threads[c].start();
        }
        for (Thread t : threads) {
            t.join();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("etcd-put,%.0f,%d%n", requests / seconds, errors.get());
    }
}
