package io.gateway.server.http;

import io.gateway.server.core.RequestFiles;
import io.gateway.spi.ErrorCode;
import io.gateway.spi.GatewayException;
import io.gateway.spi.MultipartForm;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.commons.fileupload2.core.AbstractFileUpload;
import org.apache.commons.fileupload2.core.DiskFileItem;
import org.apache.commons.fileupload2.core.DiskFileItemFactory;
import org.apache.commons.fileupload2.core.FileItemInput;
import org.apache.commons.fileupload2.core.FileItemInputIterator;
import org.apache.commons.fileupload2.core.FileUploadException;
import org.apache.commons.fileupload2.core.FileUploadFileCountLimitException;
import org.apache.commons.fileupload2.core.RequestContext;

/**
 * Reads a {@code multipart/form-data} request body into a {@link MultipartForm}, part by part as it
 * arrives, with Apache Commons FileUpload's streaming parser: text fields into memory (each at most
 * {@link #MAX_FIELD} bytes), files into the request's {@link RequestFiles} (memory for small ones, a
 * temporary file for the rest), so that a 25 MB upload costs a buffer's worth of heap. The body's size
 * is counted as it is read against the route's limit. Malformed bodies (no boundary, truncated, a
 * broken part head) are 400 errors naming the problem. Stateless and thread-safe.
 */
final class FormReader {

    /** Largest text field, in bytes. */
    static final int MAX_FIELD = 1024 * 1024;
    /** Most parts a form may have. */
    static final int MAX_PARTS = 1000;

    private FormReader() {
    }

    /**
     * Reads a form.
     *
     * @param in            the request body
     * @param contentType   the request's {@code Content-Type}, or {@code null}
     * @param contentLength the declared length, or -1
     * @param limit         the most bytes the route accepts
     * @param route         the route's path, for messages ({@code audio/transcriptions})
     * @param files         where file parts are spooled
     * @return the form
     * @throws GatewayException 400 for a body that is not a well-formed form, 413 beyond the limit
     * @throws IOException      when the client went away while sending it
     */
    static MultipartForm read(InputStream in, String contentType, long contentLength, long limit, String route,
                              RequestFiles files) throws IOException {
        checkContentType(contentType, route);
        if (contentLength > limit) {
            throw tooLarge(limit, route);
        }
        Counted counted = new Counted(in, limit, route);
        Upload upload = new Upload();
        MultipartForm.Builder form = MultipartForm.builder();
        int parts = 0;
        try {
            FileItemInputIterator items = upload.getItemIterator(new Request(counted, contentType, contentLength));
            while (items.hasNext()) {
                FileItemInput item = items.next();
                parts++;
                String name = item.getFieldName();
                if (name == null || name.isEmpty()) {
                    throw GatewayException.invalidRequest("a part of the multipart body has no name; every part "
                            + "needs Content-Disposition: form-data; name=\"...\"", null);
                }
                try (InputStream part = item.getInputStream()) {
                    if (isField(item)) {
                        byte[] value = part.readNBytes(MAX_FIELD + 1);
                        if (value.length > MAX_FIELD) {
                            throw GatewayException.invalidRequest("the multipart field '" + name + "' is larger than "
                                    + MAX_FIELD / 1024 + " KB; send files with a filename", name);
                        }
                        form.field(name, new String(value, StandardCharsets.UTF_8));
                    } else {
                        String type = item.getContentType();
                        form.file(name, item.getName(), files.spool(part,
                                type == null || type.isBlank() ? "application/octet-stream" : type));
                    }
                }
            }
        } catch (GatewayException e) {
            throw e;
        } catch (FileUploadFileCountLimitException e) {
            throw GatewayException.invalidRequest("the multipart body has more than " + MAX_PARTS + " parts", null);
        } catch (FileUploadException e) {
            throw malformed(e);
        } catch (IOException e) {
            if (counted.clientGone) {
                throw e;
            }
            throw malformed(e);
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw malformed(e);
        }
        if (parts == 0 && counted.total > 0) {
            // FileUpload takes everything before the first delimiter as a preamble and skips parts without
            // a name (RFC 7578 requires one): nothing usable was found
            throw GatewayException.invalidRequest("the multipart body has no named part delimited by the boundary "
                    + "its Content-Type declares; send the body your HTTP client built with that Content-Type, each "
                    + "part with Content-Disposition: form-data; name=\"...\"", null);
        }
        return form.build();
    }

    /**
     * A text field: no file name, and no media type or a text one. A part without a file name but with
     * a binary type (some clients send uploads so) is a file, kept byte for byte.
     */
    private static boolean isField(FileItemInput item) {
        if (!item.isFormField()) {
            return false;
        }
        String type = item.getContentType();
        return type == null || type.isBlank() || type.trim().toLowerCase(Locale.ROOT).startsWith("text/");
    }

    private static void checkContentType(String contentType, String route) {
        String type = contentType == null ? "" : contentType.trim().toLowerCase(Locale.ROOT);
        if (!type.startsWith("multipart/form-data")) {
            throw new GatewayException(ErrorCode.UNSUPPORTED_MEDIA_TYPE, route + " takes a multipart/form-data "
                    + "body; the request's Content-Type is " + (type.isEmpty() ? "missing" : "'" + contentType + "'"),
                    null, null, null);
        }
        int at = type.indexOf("boundary=");
        if (at < 0 || at + 9 >= type.length() || type.charAt(at + 9) == ';') {
            throw GatewayException.invalidRequest("the multipart/form-data Content-Type has no boundary; send "
                    + "multipart/form-data; boundary=... (HTTP clients add it when they build the form)", null);
        }
    }

    private static GatewayException malformed(Exception e) {
        String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        String lower = reason.toLowerCase(Locale.ROOT);
        String what;
        if (lower.contains("ended unexpectedly") || lower.contains("eof") || lower.contains("unexpected end")) {
            what = "is truncated: it ended before its closing boundary";
        } else if (lower.contains("boundary")) {
            what = "does not match its boundary: " + reason;
        } else {
            what = "is malformed: " + reason;
        }
        return GatewayException.invalidRequest("the multipart body " + what + "; send the whole form as your HTTP "
                + "client builds it", null);
    }

    static GatewayException tooLarge(long limit, String route) {
        return GatewayException.of(ErrorCode.PAYLOAD_TOO_LARGE, "the request body is larger than " + limit
                + " bytes, the limit of " + route + " (gateway.max-request-body-by-route); send a smaller body or"
                + " raise the limit");
    }

    /** The client's body, counted against the limit; remembers whether the client's side failed. */
    private static final class Counted extends FilterInputStream {
        private final long limit;
        private final String route;
        private long total;
        private boolean clientGone;

        Counted(InputStream in, long limit, String route) {
            super(in);
            this.limit = limit;
            this.route = route;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int read = read(one, 0, 1);
            return read < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int read;
            try {
                read = super.read(buffer, offset, length);
            } catch (IOException | java.io.UncheckedIOException e) {
                clientGone = true;
                throw e instanceof IOException io ? io : ((java.io.UncheckedIOException) e).getCause();
            }
            if (read > 0) {
                total += read;
                if (total > limit) {
                    throw tooLarge(limit, route);
                }
            }
            return read;
        }
    }

    /** The request as FileUpload asks for it. */
    private record Request(InputStream in, String contentType, long contentLength) implements RequestContext {
        @Override
        public String getCharacterEncoding() {
            return StandardCharsets.UTF_8.name();
        }

        @Override
        public long getContentLength() {
            return contentLength;
        }

        @Override
        public String getContentType() {
            return contentType;
        }

        @Override
        public InputStream getInputStream() {
            return in;
        }

        @Override
        public boolean isMultipartRelated() {
            return false;
        }
    }

    /**
     * FileUpload's streaming parser; only {@link #getItemIterator} is used. Part heads are read as
     * UTF-8, as browsers and SDKs write non-ASCII file names.
     */
    private static final class Upload extends AbstractFileUpload<Request, DiskFileItem, DiskFileItemFactory> {
        Upload() {
            setHeaderCharset(StandardCharsets.UTF_8);
            setFileCountMax(MAX_PARTS);
            setSizeMax(-1);
            setFileSizeMax(-1);
        }

        @Override
        public FileItemInputIterator getItemIterator(Request request) throws FileUploadException, IOException {
            return super.getItemIterator((RequestContext) request);
        }

        @Override
        public Map<String, List<DiskFileItem>> parseParameterMap(Request request) throws FileUploadException {
            return super.parseParameterMap((RequestContext) request);
        }

        @Override
        public List<DiskFileItem> parseRequest(Request request) throws FileUploadException {
            return super.parseRequest((RequestContext) request);
        }
    }
}
