package io.gateway.server.core;

import io.gateway.spi.Content;
import io.gateway.spi.ErrorCode;
import io.gateway.spi.GatewayException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The files one request spooled: the file parts of a multipart upload, read from the client once and
 * kept so that the router can send them upstream (again, after a failed attempt) without holding them
 * in the heap. A part up to {@link #IN_MEMORY} bytes stays in memory; a larger one goes to a temporary
 * file, written as it arrives. Everything is deleted when the request ends ({@link #close()}), whichever
 * way it ends. One per request, used by the request's thread; {@link #close()} may come from any.
 */
public final class RequestFiles implements AutoCloseable {

    /** Parts up to this size stay in memory. */
    public static final int IN_MEMORY = 64 * 1024;

    private static final System.Logger LOG = System.getLogger("gateway.http");

    private final Path directory;
    private List<Path> files;
    private boolean closed;

    /**
     * Spooling into a directory.
     *
     * @param directory where temporary files go (the system's temporary directory by default)
     */
    public RequestFiles(Path directory) {
        this.directory = directory;
    }

    /**
     * Reads a part to its end and keeps it: in memory when small, else in a temporary file.
     *
     * @param in          the part's bytes; read to the end, not closed
     * @param contentType the part's media type
     * @return a repeatable content over the bytes
     * @throws IOException when reading the client's body or writing the file fails
     */
    public Content spool(InputStream in, String contentType) throws IOException {
        byte[] head = new byte[IN_MEMORY];
        int filled = 0;
        while (filled < head.length) {
            int read = in.read(head, filled, head.length - filled);
            if (read < 0) {
                return Content.of(java.util.Arrays.copyOf(head, filled), contentType);
            }
            filled += read;
        }
        Path file = newFile();
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write(head, 0, filled);
            byte[] buffer = head; // reused: its bytes are on disk now
            int read;
            while ((read = in.read(buffer, 0, buffer.length)) >= 0) {
                out.write(buffer, 0, read);
            }
        }
        return Content.of(file, contentType);
    }

    private synchronized Path newFile() throws IOException {
        if (closed) {
            throw new IOException("the request ended");
        }
        if (files == null) {
            files = new ArrayList<>(2);
        }
        Path file;
        try {
            Files.createDirectories(directory);
            file = Files.createTempFile(directory, "gateway-part-", ".bin");
        } catch (IOException e) {
            throw new GatewayException(ErrorCode.INTERNAL, "the gateway cannot spool the upload to " + directory
                    + "; check that the directory exists and is writable", null, null, e);
        }
        files.add(file);
        return file;
    }

    /**
     * Whether anything went to disk.
     *
     * @return the number of temporary files
     */
    public synchronized int spooledFiles() {
        return files == null ? 0 : files.size();
    }

    /** Deletes the temporary files. Idempotent. */
    @Override
    public void close() {
        List<Path> toDelete;
        synchronized (this) {
            closed = true;
            toDelete = files;
            files = null;
        }
        if (toDelete == null) {
            return;
        }
        for (Path file : toDelete) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "cannot delete the spooled upload " + file + ": " + e.getMessage());
            }
        }
    }

    /** For messages. */
    @Override
    public String toString() {
        return "RequestFiles[" + directory + "]";
    }

    /**
     * The files spooled so far, for tests.
     *
     * @return a copy
     */
    public synchronized List<Path> files() {
        return files == null ? List.of() : List.copyOf(files);
    }
}
