package io.keyedstate.deployment.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every Java snippet of the guide and the README compiles against the extension's API, with the
 * imports the guide lists once for all of them. A snippet that is a type compiles as it is; one
 * that is a member (a handler method) compiles in a bean with the guide's {@code count} state; a
 * body written {@code { ... }} stands for code the reader writes.
 */
class DocumentedSnippetsCompileTest {

    private static final Path ROOT = Path.of("..");
    private static final Pattern JAVA_BLOCK = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL);
    private static final Pattern TOP_LEVEL_TYPE = Pattern
            .compile("^(?:@\\w+\\s+)*(?:public\\s+)?(?:final\\s+)?(?:class|record|interface|enum)\\s+(\\w+)", Pattern.MULTILINE);
    private static final Pattern PUBLIC_TYPE = Pattern
            .compile("^public\\s+(?:final\\s+)?(?:class|record|interface|enum)\\s+(\\w+)", Pattern.MULTILINE);

    @TempDir
    Path output;

    @TestFactory
    Stream<DynamicTest> everySnippetCompiles() throws IOException {
        String imports = importsListedByTheGuide();
        List<DynamicTest> tests = new ArrayList<>();
        for (String document : List.of("docs/guide.md", "README.md")) {
            String text = Files.readString(ROOT.resolve(document));
            Matcher block = JAVA_BLOCK.matcher(text);
            while (block.find()) {
                String snippet = block.group(1);
                int line = text.substring(0, block.start()).split("\n", -1).length;
                tests.add(DynamicTest.dynamicTest(document + ":" + line, () -> compiles(document + ":" + line, imports, snippet)));
            }
        }
        assertThat(tests).as("snippets found").hasSizeGreaterThan(5);
        return tests.stream();
    }

    /** The guide's list of imports: its Java block of nothing but import lines. */
    private static String importsListedByTheGuide() throws IOException {
        Matcher block = JAVA_BLOCK.matcher(Files.readString(ROOT.resolve("docs/guide.md")));
        while (block.find()) {
            String candidate = block.group(1);
            if (candidate.lines().allMatch(line -> line.isBlank() || line.startsWith("import "))) {
                return candidate;
            }
        }
        throw new AssertionError("The guide lists no imports for its snippets");
    }

    private void compiles(String where, String imports, String snippet) throws IOException {
        String body = snippet.replace("{ ... }", "{ throw new UnsupportedOperationException(); }");
        boolean hasImports = body.lines().anyMatch(line -> line.startsWith("import "));
        String source;
        String name;
        if (TOP_LEVEL_TYPE.matcher(body).find() || hasImports) {
            Matcher publicType = PUBLIC_TYPE.matcher(body);
            name = publicType.find() ? publicType.group(1) : "Snippet";
            source = "package snippets;\n" + (hasImports ? "" : imports) + "\n" + body;
        } else {
            name = "Snippet";
            source = "package snippets;\n" + imports + "\n@ApplicationScoped\npublic class Snippet {\n\n    @KeyedState\n"
                    + "    ValueState<Long> count;\n\n" + body + "\n}\n";
        }
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        StringWriter errors = new StringWriter();
        try (StandardJavaFileManager files = compiler.getStandardFileManager(null, null, null)) {
            JavaFileObject unit = new SimpleJavaFileObject(URI.create("string:///snippets/" + name + ".java"),
                    JavaFileObject.Kind.SOURCE) {
                @Override
                public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                    return source;
                }
            };
            String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
            boolean compiled = compiler.getTask(errors, files, null,
                    List.of("-proc:none", "-classpath", classPath, "-d", output.toString()), null, List.of(unit)).call();
            assertThat(compiled).as("%s does not compile:%n%s%n%s", where, errors, source).isTrue();
        }
    }
}
