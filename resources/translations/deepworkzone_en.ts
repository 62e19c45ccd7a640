<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="en">
<context>
    <name></name>
    <message>
        <location filename="../../src/deepworkzone/gui/views/search.py" line="137"/>
        <source>Channel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/views/search.py" line="139"/>
        <source>Public and private</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/views/search.py" line="140"/>
        <source>Public</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/views/search.py" line="141"/>
        <source>Private</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/views/search.py" line="146"/>
        <source>Type</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/views/search.py" line="147"/>
        <source>Every type</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/views/search.py" line="147"/>
        <source>Drop-in</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/views/search.py" line="147"/>
        <source>Standard</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/views/search.py" line="151"/>
        <source>Completed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/views/search.py" line="152"/>
        <source>Active and done</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/views/search.py" line="152"/>
        <source>Active</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/views/search.py" line="152"/>
        <source>Done</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/views/search.py" line="156"/>
        <source>Source</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/views/search.py" line="158"/>
        <source>All I may see</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/views/search.py" line="159"/>
        <source>Mine and shared with me</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/views/search.py" line="160"/>
        <source>Whole organisation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/views/search.py" line="163"/>
        <source>&amp;On</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/views/search.py" line="164"/>
        <source>&amp;From</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/views/search.py" line="165"/>
        <source>&amp;To</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>AccountPage</name>
    <message>
        <location filename="../../src/deepworkzone/gui/dialogs/settings_pages.py" line="38"/>
        <source>&amp;Local only: sessions stay on this machine</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/dialogs/settings_pages.py" line="39"/>
        <source>Sync with a &amp;Sessions server</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/dialogs/settings_pages.py" line="52"/>
        <source>paste your API token</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/dialogs/settings_pages.py" line="53"/>
        <source>Server &amp;URL</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/dialogs/settings_pages.py" line="54"/>
        <source>API &amp;token</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/dialogs/settings_pages.py" line="56"/>
        <source>Sign &amp;in</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/dialogs/settings_pages.py" line="57"/>
        <source>Sign &amp;out</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/dialogs/settings_pages.py" line="58"/>
        <source>&amp;Upload local sessions…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/dialogs/settings_pages.py" line="92"/>
        <source>Signed in to {server}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/dialogs/settings_pages.py" line="94"/>
        <source>Local only.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/dialogs/settings_pages.py" line="97"/>
        <source>{n} session(s) made on this machine are not on a server.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>AppearancePage</name>
    <message>
        <location filename="../../src/deepworkzone/gui/dialogs/settings_pages.py" line="213"/>
        <source>Follow the system</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/dialogs/settings_pages.py" line="214"/>
        <source>Light</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/dialogs/settings_pages.py" line="215"/>
        <source>Dark</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/dialogs/settings_pages.py" line="218"/>
        <source>&amp;Theme</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Banner</name>
    <message>
        <location filename="../../src/deepworkzone/gui/widgets/banner.py" line="28"/>
        <source>Connection state</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/widgets/banner.py" line="42"/>
        <source>1 edit waiting</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/widgets/banner.py" line="44"/>
        <source>%1 edits waiting</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/widgets/banner.py" line="46"/>
        <source>Offline since %1, %2</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>BarChart</name>
    <message>
        <location filename="../../src/deepworkzone/gui/widgets/chart.py" line="39"/>
        <source>Focused time chart</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/widgets/chart.py" line="47"/>
        <source>{count} bars, total {total}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/widgets/chart.py" line="106"/>
        <source>No focused time yet</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>BlockingPage</name>
    <message>
        <location filename="../../src/deepworkzone/gui/dialogs/editor_blocking.py" line="54"/>
        <source>&amp;Block distracting websites during this session</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/dialogs/editor_blocking.py" line="61"/>
        <source>&amp;Categories, plus my own sites</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/dialogs/editor_blocking.py" line="62"/>
        <source>&amp;Only my own sites</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/dialogs/editor_blocking.py" line="63"/>
        <source>&amp;Allow only my sites; block everything else</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/dialogs/editor_blocking.py" line="77"/>
        <source>one per line, e.g. news.ycombinator.com</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/dialogs/editor_blocking.py" line="84"/>
        <source>&amp;Strict mode: the session cannot be ended early</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/dialogs/editor_blocking.py" line="86"/>
        <source>Only a rationed emergency exit ends it before its time.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/dialogs/editor_blocking.py" line="90"/>
        <source>Show the list</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/dialogs/editor_blocking.py" line="95"/>
        <source>Everything this session blocks</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/dialogs/editor_blocking.py" line="166"/>
        <source>⚠ {note}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/dialogs/editor_blocking.py" line="170"/>
        <source>Also &amp;block:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/dialogs/editor_blocking.py" line="171"/>
        <source>&amp;Block these sites:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/dialogs/editor_blocking.py" line="172"/>
        <source>&amp;Allow only these sites:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/dialogs/editor_blocking.py" line="185"/>
        <source>Fix the sites above to see what will be blocked.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/dialogs/editor_blocking.py" line="211"/>
        <source>Nothing will be blocked.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/dialogs/editor_blocking.py" line="216"/>
        <source>Every site except {n} allowed will be blocked, through {how}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/dialogs/editor_blocking.py" line="220"/>
        <source>{n} sites will be blocked, through {how}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/dialogs/editor_blocking.py" line="224"/>
        <source>{h} in the hosts file; the rest by the proxy only.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/dialogs/editor_blocking.py" line="228"/>
        <source>Closes {apps}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/dialogs/editor_blocking.py" line="232"/>
        <source># hosts file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/dialogs/editor_blocking.py" line="235"/>
        <source># blocking proxy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/dialogs/editor_blocking.py" line="237"/>
        <source># allowed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/dialogs/settings_pages.py" line="109"/>
        <source>Hosts file (every app on this machine)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/dialogs/settings_pages.py" line="110"/>
        <source>Blocking proxy (browsers that use the system proxy)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/dialogs/settings_pages.py" line="111"/>
        <source>Both</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/dialogs/settings_pages.py" line="114"/>
        <source>Block &amp;with</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/dialogs/settings_pages.py" line="116"/>
        <source>Categories a quick session blocks:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/dialogs/settings_pages.py" line="119"/>
        <source>Default categories</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>CategoryChips</name>
    <message>
        <location filename="../../src/deepworkzone/gui/widgets/chips.py" line="104"/>
        <source>{title} · {count}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/widgets/chips.py" line="109"/>
        <source>{count} sites</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/widgets/chips.py" line="111"/>
        <source>Also closes: {apps}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/widgets/chips.py" line="113"/>
        <source>Blocked by the proxy only (too large for the hosts file)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ConnectionsPage</name>
    <message>
        <location filename="../../src/deepworkzone/gui/dialogs/settings_pages.py" line="146"/>
        <source>checking…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/dialogs/settings_pages.py" line="147"/>
        <source>Disconnect</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/dialogs/settings_pages.py" line="148"/>
        <source>Disconnect {service}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/dialogs/settings_pages.py" line="155"/>
        <source>Connect Slack with a &amp;token…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/dialogs/settings_pages.py" line="163"/>
        <source>Teams signs in through the browser: run “deepworkzone connect teams” once; this page then shows it.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>CountdownRing</name>
    <message>
        <location filename="../../src/deepworkzone/gui/widgets/countdown.py" line="43"/>
        <source>Time left</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>DropInView</name>
    <message>
        <location filename="../../src/deepworkzone/gui/views/dropin.py" line="87"/>
        <source>Drop-in sessions today</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/views/dropin.py" line="98"/>
        <source>In this session:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/views/dropin.py" line="100"/>
        <source>Participants</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/views/dropin.py" line="105"/>
        <source>&amp;Join</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/views/dropin.py" line="106"/>
        <source>&amp;Leave</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/views/dropin.py" line="144"/>
        <source>Drop-in sessions are shared through a server: sign in under Settings to see and join them.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/views/dropin.py" line="170"/>
        <source>No public drop-in sessions are running or starting later today.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/views/dropin.py" line="184"/>
        <source>Running now · until {end}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/views/dropin.py" line="187"/>
        <source>Starts in {n} min</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/views/dropin.py" line="189"/>
        <source>Today {start}–{end}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/views/dropin.py" line="196"/>
        <source>Drop-in sessions</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>FocusView</name>
    <message>
        <location filename="../../src/deepworkzone/gui/views/focus.py" line="68"/>
        <source>Ready to focus</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/views/focus.py" line="77"/>
        <source>%1 minutes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/views/focus.py" line="80"/>
        <source>Start a quick session with the default blocklist</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/views/focus.py" line="118"/>
        <source>+5 min</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/views/focus.py" line="118"/>
        <source>+15 min</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/views/focus.py" line="118"/>
        <source>Extend…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/views/focus.py" line="122"/>
        <source>Extend by %1 minutes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/views/focus.py" line="124"/>
        <source>Extend by a chosen time</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/views/focus.py" line="131"/>
        <source>End early…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/views/focus.py" line="133"/>
        <source>Emergency exit…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/views/focus.py" line="135"/>
        <source>Mini timer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/views/focus.py" line="159"/>
        <source>Next: %1 at %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/views/focus.py" line="164"/>
        <source>Nothing else planned. Start a quick session:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/views/focus.py" line="173"/>
        <source>left</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/views/focus.py" line="176"/>
        <source>Ends at %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/views/focus.py" line="179"/>
        <source>Blocked attempts: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/views/focus.py" line="181"/>
        <source>Snoozed: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/views/focus.py" line="191"/>
        <source>Run by another Deep Work Zone process.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/views/focus.py" line="193"/>
        <source>Strict session: it cannot be ended early.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/views/focus.py" line="198"/>
        <source>Nothing blocked</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/views/focus.py" line="200"/>
        <source>everything but your allowlist</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/views/focus.py" line="204"/>
        <source>Blocking %1 (%2 sites, by %3)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/views/focus.py" line="224"/>
        <source>Extend</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/views/focus.py" line="224"/>
        <source>More minutes:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/views/focus.py" line="235"/>
        <source>End early</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/views/focus.py" line="235"/>
        <source>Why are you ending this session early?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/views/focus.py" line="248"/>
        <source>Emergency exit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/views/focus.py" line="250"/>
        <source>This strict session can only be ended with the emergency exit, which you can use %1 time(s) every %2 days. Use it now?</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>GeneralPage</name>
    <message>
        <location filename="../../src/deepworkzone/gui/dialogs/editor_general.py" line="44"/>
        <source>Morning deep work</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/dialogs/editor_general.py" line="47"/>
        <source>Standard</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/dialogs/editor_general.py" line="48"/>
        <source>Drop-in (others in the org may join)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/dialogs/editor_general.py" line="52"/>
        <source> min</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/dialogs/editor_general.py" line="61"/>
        <source>Public: everyone in the organisation can see it</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/dialogs/editor_general.py" line="63"/>
        <source>ana@example.com, 12</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/dialogs/editor_general.py" line="65"/>
        <source>E-mail addresses or user ids of people in your organisation, comma-separated</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/dialogs/editor_general.py" line="67"/>
        <source>&amp;Name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/dialogs/editor_general.py" line="68"/>
        <source>&amp;Type</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/dialogs/editor_general.py" line="69"/>
        <source>&amp;Length</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/dialogs/editor_general.py" line="70"/>
        <source>&amp;Date</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/dialogs/editor_general.py" line="71"/>
        <source>T&amp;ime</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/dialogs/editor_general.py" line="74"/>
        <source>&amp;Collaborators</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>HistoryView</name>
    <message>
        <location filename="../../src/deepworkzone/gui/views/history.py" line="61"/>
        <source>Per &amp;day</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/views/history.py" line="63"/>
        <source>Per &amp;week</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/views/history.py" line="73"/>
        <source>Streak</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/views/history.py" line="83"/>
        <source>&amp;Export CSV…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/views/history.py" line="91"/>
        <source>Focus runs</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/views/history.py" line="122"/>
        <source>{n}-day streak</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/views/history.py" line="122"/>
        <source>No streak yet</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/views/history.py" line="125"/>
        <source>{total} in the last 30 days</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/views/history.py" line="153"/>
        <source>Week of {day}: {time}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/views/history.py" line="164"/>
        <source>Export focus history</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/views/history.py" line="166"/>
        <source>CSV files (*.csv)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/views/history.py" line="175"/>
        <source>Saved {path}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../src/deepworkzone/gui/main_window.py" line="75"/>
        <source>Deep Work Zone</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/main_window.py" line="90"/>
        <source>Views</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/main_window.py" line="95"/>
        <source>Focus</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/main_window.py" line="96"/>
        <source>Today</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/main_window.py" line="97"/>
        <source>Drop-in</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/main_window.py" line="98"/>
        <source>History</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/main_window.py" line="99"/>
        <source>Search</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/main_window.py" line="126"/>
        <location filename="../../src/deepworkzone/gui/main_window.py" line="217"/>
        <source>Local only</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/main_window.py" line="126"/>
        <location filename="../../src/deepworkzone/gui/main_window.py" line="217"/>
        <source>Online</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/main_window.py" line="128"/>
        <source>Sync state</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/main_window.py" line="133"/>
        <source>&amp;File</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/main_window.py" line="136"/>
        <source>&amp;New Session…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/main_window.py" line="142"/>
        <source>&amp;Settings…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/main_window.py" line="144"/>
        <source>&amp;Quit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/main_window.py" line="145"/>
        <source>&amp;View</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/main_window.py" line="150"/>
        <source>&amp;Help</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/main_window.py" line="151"/>
        <source>&amp;About Deep Work Zone</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/main_window.py" line="188"/>
        <source>This view is not available yet.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/main_window.py" line="192"/>
        <source>This view could not open: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/main_window.py" line="237"/>
        <source>Synced</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/main_window.py" line="240"/>
        <source>Offline</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/window_actions.py" line="52"/>
        <source>About Deep Work Zone</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/window_actions.py" line="53"/>
        <source>Deep Work Zone: timed deep-work sessions that block distractions.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/window_actions.py" line="69"/>
        <source>“%1” is a strict session. Quitting keeps its blocks until %2; they are put back the next time Deep Work Zone starts after that.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/window_actions.py" line="78"/>
        <source>“%1” is running until %2. Quitting ends it now and removes every block and snooze.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/window_actions.py" line="87"/>
        <source>Quit Deep Work Zone?</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>MiniTimer</name>
    <message>
        <location filename="../../src/deepworkzone/gui/widgets/mini_timer.py" line="19"/>
        <source>Deep Work Zone timer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/widgets/mini_timer.py" line="20"/>
        <source>Mini timer</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Notifier</name>
    <message>
        <location filename="../../src/deepworkzone/gui/notifications.py" line="61"/>
        <location filename="../../src/deepworkzone/gui/notifications.py" line="88"/>
        <source>Deep Work Zone</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/notifications.py" line="93"/>
        <source>Skip</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/notifications.py" line="100"/>
        <source>Starting soon</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/notifications.py" line="101"/>
        <source>“%1” starts at %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/notifications.py" line="104"/>
        <source>Start now</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/notifications.py" line="110"/>
        <source>Time to focus</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/notifications.py" line="112"/>
        <source>“%1” is due.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/notifications.py" line="115"/>
        <source>Start</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/notifications.py" line="120"/>
        <source>“%1” is due. Start it, or skip it, in the window.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/notifications.py" line="125"/>
        <source>“%1” is due. Start it now?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/notifications.py" line="133"/>
        <source>Focus started</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/notifications.py" line="134"/>
        <source>“%1” runs until %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/notifications.py" line="140"/>
        <source>%1 minutes focused</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/notifications.py" line="142"/>
        <source>Session complete</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/notifications.py" line="142"/>
        <source>Session ended</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/notifications.py" line="146"/>
        <source>Some blocks could not be removed: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/notifications.py" line="153"/>
        <source>Blocking is incomplete</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>RemindersPage</name>
    <message>
        <location filename="../../src/deepworkzone/gui/dialogs/settings_pages.py" line="188"/>
        <source> min before</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/dialogs/settings_pages.py" line="189"/>
        <source>No reminder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/dialogs/settings_pages.py" line="191"/>
        <source>Start by themselves on time</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/dialogs/settings_pages.py" line="192"/>
        <source>Ask me first</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/dialogs/settings_pages.py" line="193"/>
        <source>&amp;Reminder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/dialogs/settings_pages.py" line="194"/>
        <source>Scheduled &amp;sessions</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>RepeatPage</name>
    <message>
        <location filename="../../src/deepworkzone/gui/dialogs/editor_repeat.py" line="50"/>
        <source>&amp;Repeat this session</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/dialogs/editor_repeat.py" line="54"/>
        <source>Every day</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/dialogs/editor_repeat.py" line="55"/>
        <source>Every week</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/dialogs/editor_repeat.py" line="56"/>
        <source>Every month</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/dialogs/editor_repeat.py" line="59"/>
        <source>&amp;How often</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/dialogs/editor_repeat.py" line="61"/>
        <source>On</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/dialogs/editor_repeat.py" line="68"/>
        <source>On the</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/dialogs/editor_repeat.py" line="73"/>
        <source>skip months without that date</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/dialogs/editor_repeat.py" line="74"/>
        <source>use the month&apos;s last day instead</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/dialogs/editor_repeat.py" line="75"/>
        <source>Months without that date</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/dialogs/editor_repeat.py" line="83"/>
        <source>first</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/dialogs/editor_repeat.py" line="84"/>
        <source>second</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/dialogs/editor_repeat.py" line="85"/>
        <source>third</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/dialogs/editor_repeat.py" line="86"/>
        <source>fourth</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/dialogs/editor_repeat.py" line="87"/>
        <source>last</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/dialogs/editor_repeat.py" line="90"/>
        <source>Which week of the month</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/dialogs/editor_repeat.py" line="95"/>
        <source>Weekday</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/dialogs/editor_repeat.py" line="104"/>
        <source>Which day</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/dialogs/editor_repeat.py" line="105"/>
        <source>&amp;From</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/dialogs/editor_repeat.py" line="106"/>
        <source>&amp;Until</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/dialogs/editor_repeat.py" line="107"/>
        <source>Starts</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/dialogs/editor_repeat.py" line="108"/>
        <source>Ends</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/dialogs/editor_repeat.py" line="135"/>
        <source>On day {n}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SearchView</name>
    <message>
        <location filename="../../src/deepworkzone/gui/views/search.py" line="129"/>
        <source>Search sessions by name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/views/search.py" line="131"/>
        <source>Keyword</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/views/search.py" line="184"/>
        <source>Sessions found</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/views/search.py" line="285"/>
        <source>(offline: from this machine&apos;s copy)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/views/search.py" line="293"/>
        <source>{shown} of {total} sessions</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SessionDelegate</name>
    <message>
        <location filename="../../src/deepworkzone/gui/widgets/badges.py" line="54"/>
        <source>Upcoming</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/widgets/badges.py" line="55"/>
        <source>Running</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/widgets/badges.py" line="56"/>
        <source>Completed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/widgets/badges.py" line="57"/>
        <source>Ended early</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/widgets/badges.py" line="58"/>
        <source>Missed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/widgets/badges.py" line="64"/>
        <source>Today</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/widgets/badges.py" line="66"/>
        <source>Tomorrow</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/widgets/badges.py" line="93"/>
        <source>nothing planned</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/widgets/badges.py" line="148"/>
        <source>%1 min</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/widgets/badges.py" line="150"/>
        <source>Drop-in</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/widgets/badges.py" line="150"/>
        <source>Standard</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/widgets/badges.py" line="152"/>
        <source>Public</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/widgets/badges.py" line="152"/>
        <source>Private</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/widgets/badges.py" line="155"/>
        <source>Repeats</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/widgets/badges.py" line="157"/>
        <source>Strict</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/widgets/badges.py" line="160"/>
        <source>Blocks %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/widgets/badges.py" line="162"/>
        <source>snoozes %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SessionEditor</name>
    <message>
        <location filename="../../src/deepworkzone/gui/dialogs/editor.py" line="70"/>
        <source>Edit session</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/dialogs/editor.py" line="70"/>
        <source>New session</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/dialogs/editor.py" line="74"/>
        <source>Problems with this session</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/dialogs/editor.py" line="86"/>
        <source>&amp;Session</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/dialogs/editor.py" line="86"/>
        <source>&amp;Websites</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/dialogs/editor.py" line="86"/>
        <source>S&amp;nooze</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/dialogs/editor.py" line="86"/>
        <source>&amp;Repeat</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/dialogs/editor.py" line="92"/>
        <source>Changes apply to every occurrence of this series.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/dialogs/editor.py" line="102"/>
        <source>&amp;Delete…</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <location filename="../../src/deepworkzone/gui/dialogs/settings.py" line="67"/>
        <source>Settings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/dialogs/settings.py" line="71"/>
        <source>Settings message</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/dialogs/settings.py" line="80"/>
        <source>&amp;Account</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/dialogs/settings.py" line="81"/>
        <source>&amp;Blocking</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/dialogs/settings.py" line="82"/>
        <source>&amp;Connections</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/dialogs/settings.py" line="83"/>
        <source>&amp;Reminders</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/dialogs/settings.py" line="84"/>
        <source>A&amp;ppearance</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/dialogs/settings.py" line="187"/>
        <source>Signed in to {server}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/dialogs/settings.py" line="193"/>
        <source>Signed out: this machine is local only.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/dialogs/settings.py" line="203"/>
        <source>Upload local sessions</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/dialogs/settings.py" line="204"/>
        <source>Upload the {n} session(s) made on this machine to the server?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/dialogs/settings.py" line="213"/>
        <source>{up} uploaded, {queued} waiting to be sent.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/dialogs/settings.py" line="230"/>
        <source>Connect Slack</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/dialogs/settings.py" line="231"/>
        <source>Your Slack User OAuth Token (xoxp-…):</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Shell</name>
    <message>
        <location filename="../../src/deepworkzone/gui/app.py" line="111"/>
        <source>Deep Work Zone could not start its schedule</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SnoozePage</name>
    <message>
        <location filename="../../src/deepworkzone/gui/dialogs/editor_snooze.py" line="28"/>
        <source>&amp;Snooze chat notifications during this session</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/dialogs/editor_snooze.py" line="37"/>
        <source>checking…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/dialogs/editor_snooze.py" line="47"/>
        <source>Do Not Disturb is set for the session&apos;s length on the service&apos;s side, so a crash never leaves you snoozed for longer.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/dialogs/editor_snooze.py" line="70"/>
        <source>connected{account}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/dialogs/editor_snooze.py" line="74"/>
        <source>not connected · &lt;a href=&quot;{key}&quot;&gt;Connect…&lt;/a&gt;</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>StartPrompt</name>
    <message>
        <location filename="../../src/deepworkzone/gui/widgets/start_prompt.py" line="34"/>
        <source>&amp;Start</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/widgets/start_prompt.py" line="35"/>
        <source>S&amp;kip</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/widgets/start_prompt.py" line="41"/>
        <source>Start a session?</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>TodayView</name>
    <message>
        <location filename="../../src/deepworkzone/gui/views/today.py" line="68"/>
        <source>Today and the next 7 days</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/views/today.py" line="76"/>
        <location filename="../../src/deepworkzone/gui/views/today.py" line="192"/>
        <source>Start now</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/views/today.py" line="77"/>
        <location filename="../../src/deepworkzone/gui/views/today.py" line="193"/>
        <source>Edit…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/views/today.py" line="78"/>
        <location filename="../../src/deepworkzone/gui/views/today.py" line="195"/>
        <source>Delete…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/views/today.py" line="90"/>
        <source>Sessions by day</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Tray</name>
    <message>
        <location filename="../../src/deepworkzone/gui/tray.py" line="89"/>
        <source>%1: %2 min left</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/tray.py" line="94"/>
        <source>Deep Work Zone: no session running</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/tray.py" line="109"/>
        <source>%1 — %2 min left</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/tray.py" line="117"/>
        <source>Focus for %1 minutes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/tray.py" line="125"/>
        <source>Next: %1 at %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/tray.py" line="128"/>
        <source>No session planned</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/tray.py" line="131"/>
        <source>Open Deep Work Zone</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/tray.py" line="133"/>
        <source>Quit</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>app</name>
    <message>
        <location filename="../../src/deepworkzone/gui/app.py" line="149"/>
        <source>Deep Work Zone</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/app.py" line="173"/>
        <source>Deep Work Zone is already open (process %1).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/app.py" line="179"/>
        <source>A focus session runs in a terminal (process %1). Stop it there, or wait for it to end, then open Deep Work Zone again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../src/deepworkzone/gui/app.py" line="193"/>
        <source>Deep Work Zone is already running (%1).</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>box</name>
    <message>
        <location filename="../../src/deepworkzone/gui/widgets/messages.py" line="24"/>
        <source>Deep Work Zone</source>
        <translation type="unfinished"></translation>
    </message>
</context>
</TS>
