"""Recorded by tests/wayland_record.py on 2026-11-25 between our
client and a real sway version 1.7 (headless; Debian 12's package), with an
idle timeout of 1 s. Do not edit: record again. sway 1.7 offers
org_kde_kwin_idle only; ext-idle-notify-v1 bytes are built in the test."""

TIMEOUT = 1.0

HANDSHAKE = [
    # client: wl_display.get_registry(2)
    # client: wl_display.sync(3)
    ("client", bytes.fromhex(
        "0100000001000c00020000000100000000000c0003000000")),
    # compositor: wl_registry.global(1, 'wl_shm', 1)
    # compositor: wl_registry.global(2, 'wl_compositor', 4)
    # compositor: wl_registry.global(3, 'wl_subcompositor', 1)
    # compositor: wl_registry.global(4, 'wl_data_device_manager', 3)
    # compositor: wl_registry.global(5, 'zwlr_gamma_control_manager_v1', 1)
    # compositor: wl_registry.global(6, 'zxdg_output_manager_v1', 3)
    # compositor: wl_registry.global(7, 'org_kde_kwin_idle', 1)
    # compositor: wl_registry.global(8, 'zwp_idle_inhibit_manager_v1', 1)
    # compositor: wl_registry.global(9, 'zwlr_layer_shell_v1', 4)
    # compositor: wl_registry.global(10, 'xdg_wm_base', 2)
    # compositor: wl_registry.global(11, 'zwp_tablet_manager_v2', 1)
    # compositor: wl_registry.global(12, 'org_kde_kwin_server_decoration_manager', 1)
    # compositor: wl_registry.global(13, 'zxdg_decoration_manager_v1', 1)
    # compositor: wl_registry.global(14, 'zwp_relative_pointer_manager_v1', 1)
    # compositor: wl_registry.global(15, 'zwp_pointer_constraints_v1', 1)
    # compositor: wl_registry.global(16, 'wp_presentation', 1)
    # compositor: wl_registry.global(17, 'zwlr_output_manager_v1', 2)
    # compositor: wl_registry.global(18, 'zwlr_output_power_manager_v1', 1)
    # compositor: wl_registry.global(19, 'zwp_input_method_manager_v2', 1)
    # compositor: wl_registry.global(20, 'zwp_text_input_manager_v3', 1)
    # compositor: wl_registry.global(21, 'zwlr_foreign_toplevel_manager_v1', 3)
    # compositor: wl_registry.global(22, 'zwlr_export_dmabuf_manager_v1', 1)
    # compositor: wl_registry.global(23, 'zwlr_screencopy_manager_v1', 3)
    # compositor: wl_registry.global(24, 'zwlr_data_control_manager_v1', 2)
    # compositor: wl_registry.global(25, 'zwp_primary_selection_device_manager_v1', 1)
    # compositor: wl_registry.global(26, 'wp_viewporter', 1)
    # compositor: wl_registry.global(27, 'zxdg_exporter_v1', 1)
    # compositor: wl_registry.global(28, 'zxdg_importer_v1', 1)
    # compositor: wl_registry.global(29, 'zxdg_exporter_v2', 1)
    # compositor: wl_registry.global(30, 'zxdg_importer_v2', 1)
    # compositor: wl_registry.global(31, 'xdg_activation_v1', 1)
    # compositor: wl_registry.global(32, 'zwp_virtual_keyboard_manager_v1', 1)
    # compositor: wl_registry.global(33, 'zwlr_virtual_pointer_manager_v1', 2)
    # compositor: wl_registry.global(34, 'zwlr_input_inhibit_manager_v1', 1)
    # compositor: wl_registry.global(35, 'zwp_keyboard_shortcuts_inhibit_manager_v1', 1)
    # compositor: wl_registry.global(36, 'wl_seat', 7)
    # compositor: wl_registry.global(37, 'zwp_pointer_gestures_v1', 3)
    # compositor: wl_registry.global(38, 'wl_output', 4)
    # compositor: wl_callback.done(1)
    # compositor: wl_display.delete_id(3)
    ("compositor", bytes.fromhex(
        "0200000000001c000100000007000000776c5f73686d0000010000000200000000002400020000000e000000776c5f63"
        "6f6d706f7369746f720000000400000002000000000028000300000011000000776c5f737562636f6d706f7369746f72"
        "00000000010000000200000000002c000400000017000000776c5f646174615f6465766963655f6d616e616765720000"
        "030000000200000000003400050000001e0000007a776c725f67616d6d615f636f6e74726f6c5f6d616e616765725f76"
        "31000000010000000200000000002c0006000000170000007a7864675f6f75747075745f6d616e616765725f76310000"
        "03000000020000000000280007000000120000006f72675f6b64655f6b77696e5f69646c650000000100000002000000"
        "00003000080000001c0000007a77705f69646c655f696e68696269745f6d616e616765725f7631000100000002000000"
        "0000280009000000140000007a776c725f6c617965725f7368656c6c5f7631000400000002000000000020000a000000"
        "0c0000007864675f776d5f6261736500020000000200000000002c000b000000160000007a77705f7461626c65745f6d"
        "616e616765725f7632000000010000000200000000003c000c000000270000006f72675f6b64655f6b77696e5f736572"
        "7665725f6465636f726174696f6e5f6d616e6167657200000100000002000000000030000d0000001b0000007a786467"
        "5f6465636f726174696f6e5f6d616e616765725f763100000100000002000000000034000e000000200000007a77705f"
        "72656c61746976655f706f696e7465725f6d616e616765725f7631000100000002000000000030000f0000001b000000"
        "7a77705f706f696e7465725f636f6e73747261696e74735f763100000100000002000000000024001000000010000000"
        "77705f70726573656e746174696f6e00010000000200000000002c0011000000170000007a776c725f6f75747075745f"
        "6d616e616765725f76310000020000000200000000003400120000001d0000007a776c725f6f75747075745f706f7765"
        "725f6d616e616765725f763100000000010000000200000000003000130000001c0000007a77705f696e7075745f6d65"
        "74686f645f6d616e616765725f763200010000000200000000003000140000001a0000007a77705f746578745f696e70"
        "75745f6d616e616765725f763300000001000000020000000000380015000000210000007a776c725f666f726569676e"
        "5f746f706c6576656c5f6d616e616765725f763100000000030000000200000000003400160000001e0000007a776c72"
        "5f6578706f72745f646d616275665f6d616e616765725f7631000000010000000200000000003000170000001b000000"
        "7a776c725f73637265656e636f70795f6d616e616765725f76310000030000000200000000003400180000001d000000"
        "7a776c725f646174615f636f6e74726f6c5f6d616e616765725f763100000000020000000200000000003c0019000000"
        "280000007a77705f7072696d6172795f73656c656374696f6e5f6465766963655f6d616e616765725f76310001000000"
        "02000000000024001a0000000e00000077705f76696577706f727465720000000100000002000000000028001b000000"
        "110000007a7864675f6578706f727465725f7631000000000100000002000000000028001c000000110000007a786467"
        "5f696d706f727465725f7631000000000100000002000000000028001d000000110000007a7864675f6578706f727465"
        "725f7632000000000100000002000000000028001e000000110000007a7864675f696d706f727465725f763200000000"
        "0100000002000000000028001f000000120000007864675f61637469766174696f6e5f76310000000100000002000000"
        "0000340020000000200000007a77705f7669727475616c5f6b6579626f6172645f6d616e616765725f76310001000000"
        "020000000000340021000000200000007a776c725f7669727475616c5f706f696e7465725f6d616e616765725f763100"
        "020000000200000000003400220000001e0000007a776c725f696e7075745f696e68696269745f6d616e616765725f76"
        "31000000010000000200000000004000230000002a0000007a77705f6b6579626f6172645f73686f7274637574735f69"
        "6e68696269745f6d616e616765725f7631000000010000000200000000001c002400000008000000776c5f7365617400"
        "070000000200000000002c0025000000180000007a77705f706f696e7465725f67657374757265735f76310003000000"
        "0200000000002000260000000a000000776c5f6f7574707574000000040000000300000000000c000100000001000000"
        "01000c0003000000")),
    # client: wl_registry.bind(36, 'wl_seat', 1, 4)
    # client: wl_registry.bind(7, 'org_kde_kwin_idle', 1, 5)
    # client: org_kde_kwin_idle.get_idle_timeout(6, 4, 1000)
    # client: wl_display.sync(7)
    ("client", bytes.fromhex(
        "02000000000020002400000008000000776c5f736561740001000000040000000200000000002c000700000012000000"
        "6f72675f6b64655f6b77696e5f69646c65000000010000000500000005000000000014000600000004000000e8030000"
        "0100000000000c0007000000")),
    # compositor: wl_seat.capabilities(0)
    # compositor: wl_callback.done(1)
    # compositor: wl_display.delete_id(7)
    ("compositor", bytes.fromhex(
        "0400000000000c00000000000700000000000c00010000000100000001000c0007000000")),
]
IDLE = [
    # compositor: org_kde_kwin_idle_timeout.idle()
    ("compositor", bytes.fromhex(
        "0600000000000800")),
]
RESUMED = [
    # compositor: wl_seat.capabilities(2)
    # compositor: org_kde_kwin_idle_timeout.resumed()
    # compositor: wl_seat.capabilities(0)
    ("compositor", bytes.fromhex(
        "0400000000000c000200000006000000010008000400000000000c0000000000")),
]

# The error sway sends for wl_registry.bind to a global that does not exist:
# wl_display.error(2, 0, 'invalid global wl_seat (9999)')
ERROR = bytes.fromhex(
    "010000000000340002000000000000001e000000696e76616c696420676c6f62616c20776c5f73656174202839393939"
    "29000000")
