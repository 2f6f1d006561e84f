package io.parley.xcap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.parley.xcap.XcapPath.NodeSelector;
import org.junit.jupiter.api.Test;

class XcapPathTest {

  @Test
  void aUserDocumentUriNamesAuidXuiAndDocument() {
    assertThat(XcapPath.parse("/xcap/resource-lists/users/sip:alice@example.com/index"))
        .isEqualTo(new XcapPath("resource-lists", "sip:alice@example.com", "index", null));
    assertThat(XcapPath.parse("/xcap/pres-rules/users/sip%3Aalice%40example.com/index"))
        .isEqualTo(new XcapPath("pres-rules", "sip:alice@example.com", "index", null));
    assertThat(XcapPath.parse("/xcap/xcap-caps/global/index"))
        .isEqualTo(new XcapPath("xcap-caps", null, "index", null));
  }

  @Test
  void nodeSelectorsForListsAndEntriesAreUnderstood() {
    assertThat(
            XcapPath.parse(
                    "/xcap/resource-lists/users/sip:a@b/index/~~/resource-lists/list%5B@name=%22friends%22%5D")
                .selector())
        .isEqualTo(new NodeSelector.ListByName("friends"));
    assertThat(
            XcapPath.parse(
                    "/xcap/resource-lists/users/sip:a@b/index/~~/resource-lists/list%5B@name='f'%5D"
                        + "/entry%5B@uri=%22sip:bob@example.com%22%5D")
                .selector())
        .isEqualTo(new NodeSelector.EntryByUri("f", "sip:bob@example.com"));
  }

  @Test
  void otherPathsAreNotFoundAndBadSelectorsOrEncodingsAreBadRequests() {
    assertThat(catchThrowableOfType(XcapException.class, () -> XcapPath.parse("/other")).status())
        .isEqualTo(404);
    assertThat(
            catchThrowableOfType(
                    XcapException.class, () -> XcapPath.parse("/xcap/resource-lists/users/x"))
                .status())
        .isEqualTo(404);
    assertThat(
            catchThrowableOfType(
                    XcapException.class,
                    () ->
                        XcapPath.parse(
                            "/xcap/resource-lists/users/sip:a@b/index/~~/resource-lists/list%5B1%5D"))
                .status())
        .isEqualTo(400);
    assertThat(
            catchThrowableOfType(
                    XcapException.class,
                    () -> XcapPath.parse("/xcap/resource-lists/users/%zz/index"))
                .status())
        .isEqualTo(400);
    assertThat(
            catchThrowableOfType(
                    XcapException.class,
                    () -> XcapPath.parse("/xcap/resource-lists/users/%ff/index"))
                .status())
        .isEqualTo(400);
  }
}
