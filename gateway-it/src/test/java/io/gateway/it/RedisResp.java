package io.gateway.it;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A minimal Redis client (RESP2 over one socket) for the tests to look into the Redis the gateways
 * share and to clean up after themselves; the gateways themselves use the store-redis plugin.
 */
final class RedisResp implements AutoCloseable {

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    private RedisResp(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new BufferedInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    /**
     * Connects to {@code redis://[[user]:password@]host[:port][/db]}, authenticating and selecting the
     * database as the URL says.
     *
     * @param url the URL
     * @return the connection
     */
    static RedisResp connect(String url) {
        URI uri = URI.create(url);
        if (!"redis".equals(uri.getScheme())) {
            throw new IllegalArgumentException("the tests' Redis client speaks plain redis:// only, not "
                    + uri.getScheme() + "://");
        }
        int port = uri.getPort() < 0 ? 6379 : uri.getPort();
        try {
            Socket socket = new Socket();
            socket.connect(new InetSocketAddress(uri.getHost(), port), 2000);
            socket.setSoTimeout(5000);
            RedisResp redis = new RedisResp(socket);
            String userInfo = uri.getRawUserInfo();
            if (userInfo != null && !userInfo.isEmpty()) {
                int colon = userInfo.indexOf(':');
                String user = colon < 0 ? "" : decode(userInfo.substring(0, colon));
                String password = decode(colon < 0 ? userInfo : userInfo.substring(colon + 1));
                if (user.isEmpty()) {
                    redis.command("AUTH", password);
                } else {
                    redis.command("AUTH", user, password);
                }
            }
            String path = uri.getPath();
            if (path != null && path.length() > 1) {
                redis.command("SELECT", path.substring(1));
            }
            return redis;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot connect to the test Redis at " + uri.getHost() + ":" + port, e);
        }
    }

    private static String decode(String text) {
        return URLDecoder.decode(text, StandardCharsets.UTF_8);
    }

    /**
     * Whether a Redis on the loopback port answers PING.
     *
     * @param host the host
     * @param port the port
     * @return {@code true} on {@code +PONG}
     */
    static boolean answersPing(String host, int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), 200);
            socket.setSoTimeout(500);
            RedisResp redis = new RedisResp(socket);
            return "PONG".equals(redis.command("PING"));
        } catch (IOException | UncheckedIOException | IllegalStateException e) {
            return false;
        }
    }

    /**
     * Sends a command and reads its answer.
     *
     * @param args the command and its arguments
     * @return a {@code String} (simple or bulk string), {@code Long}, {@code List<Object>} or {@code null}
     * @throws IllegalStateException when Redis answers an error
     */
    Object command(String... args) {
        try {
            ByteArrayOutputStream buffer = new ByteArrayOutputStream();
            buffer.write(("*" + args.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
            for (String arg : args) {
                byte[] bytes = arg.getBytes(StandardCharsets.UTF_8);
                buffer.write(("$" + bytes.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
                buffer.write(bytes);
                buffer.write("\r\n".getBytes(StandardCharsets.US_ASCII));
            }
            out.write(buffer.toByteArray());
            out.flush();
            return read();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Object read() throws IOException {
        int type = in.read();
        if (type < 0) {
            throw new EOFException("Redis closed the connection");
        }
        String line = line();
        return switch (type) {
            case '+' -> line;
            case '-' -> throw new IllegalStateException("Redis answered: " + line);
            case ':' -> Long.parseLong(line);
            case '$' -> {
                int length = Integer.parseInt(line);
                if (length < 0) {
                    yield null;
                }
                byte[] bytes = in.readNBytes(length + 2);
                yield new String(bytes, 0, length, StandardCharsets.UTF_8);
            }
            case '*' -> {
                int count = Integer.parseInt(line);
                if (count < 0) {
                    yield null;
                }
                List<Object> items = new ArrayList<>(count);
                for (int i = 0; i < count; i++) {
                    items.add(read());
                }
                yield items;
            }
            default -> throw new IOException("not RESP: type byte " + type);
        };
    }

    private String line() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int previous = -1;
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("Redis closed the connection mid-answer");
            }
            if (previous == '\r' && b == '\n') {
                byte[] bytes = line.toByteArray();
                return new String(bytes, 0, bytes.length - 1, StandardCharsets.UTF_8);
            }
            line.write(b);
            previous = b;
        }
    }

    /**
     * Every key starting with a prefix ({@code SCAN MATCH}).
     *
     * @param prefix the prefix, without glob characters
     * @return the keys
     */
    List<String> keys(String prefix) {
        if (prefix.matches(".*[*?\\[\\]\\\\].*")) {
            throw new IllegalArgumentException("prefix with glob characters: " + prefix);
        }
        List<String> keys = new ArrayList<>();
        String cursor = "0";
        do {
            List<?> page = (List<?>) command("SCAN", cursor, "MATCH", prefix + "*", "COUNT", "1000");
            cursor = (String) page.get(0);
            for (Object key : (List<?>) page.get(1)) {
                keys.add((String) key);
            }
        } while (!cursor.equals("0"));
        return keys;
    }

    /**
     * Deletes every key starting with a prefix.
     *
     * @param prefix the prefix
     * @return how many were deleted
     */
    int deleteAll(String prefix) {
        List<String> keys = keys(prefix);
        for (String key : keys) {
            command("DEL", key);
        }
        return keys.size();
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // nothing left to release
        }
    }
}
