package io.respkv.examples.postgres;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class PostgresServerExampleTest {

    @Test
    @Timeout(120)
    void runsAgainstAnEmbeddedPostgresAndTheCounterSurvivesARestart() throws Exception {
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().setServerConfig("fsync", "off").start()) {
            String url = pg.getJdbcUrl("postgres", "postgres");
            String first = PostgresServerExample.run(url, "postgres", null, PostgresServerExample.SCHEMA);
            assertTrue(first.endsWith("answered: OK (integer) 1 (integer) 2 \"hello from postgres\""), first);
            assertTrue(first.contains("(schema respkv_example)"), first);
            // a second run is a new engine and a new server: the data was in PostgreSQL
            String second = PostgresServerExample.run(url, "postgres", null, PostgresServerExample.SCHEMA);
            assertTrue(second.endsWith("answered: OK (integer) 3 (integer) 4 \"hello from postgres\""), second);
        }
    }
}
