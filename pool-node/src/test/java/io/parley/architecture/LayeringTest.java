package io.parley.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** Dependencies point down: the layering DESIGN.md promises, checked on the compiled classes. */
@AnalyzeClasses(packages = "io.parley", importOptions = ImportOption.DoNotIncludeTests.class)
class LayeringTest {

  /** The message model and parser stay pure (fuzzable, benchmarkable, reusable off Vert.x). */
  @ArchTest
  static final ArchRule messageAndParserDoNotUseVertx =
      noClasses()
          .that()
          .resideInAnyPackage("io.parley.sip.message..", "io.parley.sip.parse..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("io.vertx..", "io.netty..", "com.hazelcast..", "org.jooq..");

  /** The SIP stack knows nothing of the capabilities built on it. */
  @ArchTest
  static final ArchRule sipStackDoesNotDependOnCapabilities =
      noClasses()
          .that()
          .resideInAPackage("io.parley.sip..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "io.parley.registrar..",
              "io.parley.routing..",
              "io.parley.app..",
              "io.parley.node..",
              "io.parley.cli..",
              "io.parley.db..",
              "io.parley.cluster..",
              "io.parley.pool..",
              "io.parley.ops..",
              "io.parley.presence..");

  /** The composition roots (a pool member, the CLI) sit on top: nothing below depends on them. */
  @ArchTest
  static final ArchRule compositionRootsAreOnTop =
      noClasses()
          .that()
          .resideOutsideOfPackages("io.parley.pool..", "io.parley.cli..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("io.parley.pool..", "io.parley.cli..");

  /** Shared pool state is a capability under the pool, unaware of how members are run. */
  @ArchTest
  static final ArchRule clusterStateIsBelowThePool =
      noClasses()
          .that()
          .resideInAPackage("io.parley.cluster..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("io.parley.ops..", "io.parley.node..", "io.parley.routing..");

  /** Digest and certificate code is pure security logic, independent of SIP message types. */
  @ArchTest
  static final ArchRule authAndTlsAreIndependentOfSip =
      noClasses()
          .that()
          .resideInAnyPackage("io.parley.auth..", "io.parley.tls..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("io.parley.sip..", "io.vertx..");

  /** Nobody uses Vert.x internals (unstable API). */
  @ArchTest
  static final ArchRule noVertxInternals =
      noClasses()
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("io.vertx.core.internal..", "io.vertx.core.impl..");

  /** Capabilities reach the database only through backend-db repositories, never raw jOOQ/JDBC. */
  @ArchTest
  static final ArchRule capabilitiesDoNotUseJooqDirectly =
      noClasses()
          .that()
          .resideInAnyPackage(
              "io.parley.sip..", "io.parley.registrar..", "io.parley.routing..", "io.parley.auth..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("org.jooq..", "java.sql..");
}
