package io.parley.xcap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.parley.db.contacts.ContactEntry;
import io.parley.db.contacts.ContactGroup;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ResourceListsTest {

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static XcapException conflict(String xml) {
    Throwable t =
        org.assertj.core.api.Assertions.catchThrowable(() -> ResourceLists.parse(utf8(xml)));
    assertThat(t).isInstanceOf(XcapException.class);
    XcapException x = (XcapException) t;
    assertThat(x.status()).isEqualTo(409);
    return x;
  }

  @Test
  void aClientDocumentBecomesGroupsAndEntriesInOrder() {
    String xml =
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <rl:resource-lists xmlns:rl="urn:ietf:params:xml:ns:resource-lists"
            xmlns:x="urn:example:ext">
          <rl:list name="friends">
            <rl:display-name>Friends &amp; Family</rl:display-name>
            <rl:entry uri="sip:zoe@example.com">
              <rl:display-name>Zoë</rl:display-name>
              <x:nickname>z</x:nickname>
            </rl:entry>
            <rl:entry uri="sip:adam@example.com"/>
          </rl:list>
          <rl:list name="work"/>
        </rl:resource-lists>
        """;

    assertThat(ResourceLists.parse(utf8(xml)))
        .containsExactly(
            new ContactGroup(
                "friends",
                "Friends & Family",
                List.of(
                    new ContactEntry("sip:zoe@example.com", "Zoë"),
                    new ContactEntry("sip:adam@example.com", null))),
            new ContactGroup("work", null, List.of()));
  }

  @Test
  void serializedListsParseBackToTheSameGroups() {
    List<ContactGroup> groups =
        List.of(
            new ContactGroup(
                "a<\"b\">'&",
                "tab\there\nnewline",
                List.of(new ContactEntry("sip:x@y.test;p=\"q\"", "<&>"))),
            new ContactGroup("empty", null, List.of()));

    assertThat(ResourceLists.parse(ResourceLists.serialize(groups))).isEqualTo(groups);
    assertThat(ResourceLists.parseListElement(ResourceLists.serializeList(groups.get(0))))
        .isEqualTo(groups.get(0));
    assertThat(
            ResourceLists.parseEntryElement(
                ResourceLists.serializeEntry(groups.get(0).entries().get(0))))
        .isEqualTo(groups.get(0).entries().get(0));
  }

  @Test
  void malformedXmlAndDoctypesAreNotWellFormed() {
    assertThat(conflict("<resource-lists").xcapError()).contains("<not-well-formed/>");
    String xxe =
        """
        <?xml version="1.0"?>
        <!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>
        <resource-lists xmlns="urn:ietf:params:xml:ns:resource-lists">
          <list name="&x;"/>
        </resource-lists>
        """;
    assertThat(conflict(xxe).xcapError()).contains("<not-well-formed/>");
  }

  @Test
  void documentsNestedDeeperThanTheLimitAreRefusedByTheParser() {
    String nested =
        "<resource-lists xmlns=\"urn:ietf:params:xml:ns:resource-lists\">"
            + "<list name=\"l\">".repeat(50_000)
            + "</list>".repeat(50_000)
            + "</resource-lists>";

    assertThat(conflict(nested).xcapError()).contains("<not-well-formed/>");
    // Our limit, not the JDK's default (100 on JDK 24+, none on 21).
    assertThat(conflict(nested).getMessage())
        .contains("limit \"" + io.parley.xml.HardenedXml.MAX_DEPTH + "\"");
  }

  @Test
  void wrongRootOrMissingUriIsASchemaError() {
    assertThat(conflict("<resource-lists/>").xcapError()).contains("<schema-validation-error/>");
    assertThat(
            conflict(
                    "<resource-lists xmlns=\"urn:ietf:params:xml:ns:resource-lists\">"
                        + "<list name=\"a\"><entry/></list></resource-lists>")
                .xcapError())
        .contains("<schema-validation-error/>");
  }

  @Test
  void repeatedNamesAndUrisAreUniquenessFailures() {
    assertThat(
            conflict(
                    "<resource-lists xmlns=\"urn:ietf:params:xml:ns:resource-lists\">"
                        + "<list name=\"a\"/><list name=\"a\"/></resource-lists>")
                .xcapError())
        .contains("<uniqueness-failure>")
        .contains("resource-lists/list/@name");
    assertThat(
            conflict(
                    "<resource-lists xmlns=\"urn:ietf:params:xml:ns:resource-lists\">"
                        + "<list name=\"a\"><entry uri=\"sip:b@c\"/><entry uri=\"sip:b@c\"/>"
                        + "</list></resource-lists>")
                .xcapError())
        .contains("resource-lists/list/entry/@uri");
  }

  @Test
  void nestedListsAndExternalReferencesAreRefusedAsConstraintFailures() {
    assertThat(
            conflict(
                    "<resource-lists xmlns=\"urn:ietf:params:xml:ns:resource-lists\">"
                        + "<list name=\"a\"><list name=\"b\"/></list></resource-lists>")
                .xcapError())
        .contains("<constraint-failure phrase=\"nested lists are not supported\"/>");
    assertThat(
            conflict(
                    "<resource-lists xmlns=\"urn:ietf:params:xml:ns:resource-lists\">"
                        + "<list name=\"a\"><external anchor=\"http://x\"/></list>"
                        + "</resource-lists>")
                .xcapError())
        .contains("constraint-failure");
    assertThat(
            conflict(
                    "<resource-lists xmlns=\"urn:ietf:params:xml:ns:resource-lists\"><list/>"
                        + "</resource-lists>")
                .xcapError())
        .contains("every list needs a name");
  }

  @Test
  void anElementBodyMustBeExactlyOneElementOfTheRightKind() {
    assertThat(ResourceLists.parseEntryElement(utf8("<entry uri=\"sip:a@b\"/>")))
        .isEqualTo(new ContactEntry("sip:a@b", null));
    assertThatThrownBy(
            () -> ResourceLists.parseEntryElement(utf8("<entry uri=\"sip:a@b\"/><entry/>")))
        .isInstanceOfSatisfying(
            XcapException.class, x -> assertThat(x.xcapError()).contains("<not-xml-frag/>"));
    assertThatThrownBy(() -> ResourceLists.parseListElement(utf8("<entry uri=\"sip:a@b\"/>")))
        .isInstanceOfSatisfying(
            XcapException.class, x -> assertThat(x.xcapError()).contains("<cannot-insert/>"));
    assertThatThrownBy(
            () ->
                ResourceLists.parseEntryElement(
                    utf8("<!DOCTYPE e [<!ENTITY a \"b\">]><entry uri=\"sip:a@b\"/>")))
        .isInstanceOfSatisfying(
            XcapException.class, x -> assertThat(x.xcapError()).contains("<not-xml-frag/>"));
  }
}
