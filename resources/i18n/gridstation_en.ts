<?xml version='1.0' encoding='utf-8'?>
<TS version="2.1" language="en" sourcelanguage="zh_CN">
  <context>
    <name>ActionDialog</name>
    <message>
      <location filename="../../gridstation/ui/case_detail.py" line="82" />
      <source>{0}：{1}</source>
      <translation>{0}: {1}</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/case_detail.py" line="90" />
      <source>确定</source>
      <translation>OK</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/case_detail.py" line="90" />
      <source>取消</source>
      <translation>Cancel</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/case_detail.py" line="103" />
      <source>承办人或部门</source>
      <translation>Handler or department</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/case_detail.py" line="103" />
      <location filename="../../gridstation/ui/case_detail.py" line="174" />
      <source>说明</source>
      <translation>Note</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/case_detail.py" line="106" />
      <source>处置结果</source>
      <translation>Outcome</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/case_detail.py" line="107" />
      <source>处置情况</source>
      <translation>What was done</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/case_detail.py" line="110" />
      <source>办结答复</source>
      <translation>Closing answer</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/case_detail.py" line="127" />
      <location filename="../../gridstation/ui/case_detail.py" line="140" />
      <source>回访类型</source>
      <translation>Visit</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/case_detail.py" line="128" />
      <location filename="../../gridstation/ui/case_detail.py" line="141" />
      <source>回访方式</source>
      <translation>Visit method</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/case_detail.py" line="129" />
      <source>回访表日期</source>
      <translation>Date on the form</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/case_detail.py" line="130" />
      <source>是否解决</source>
      <translation>Resolved?</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/case_detail.py" line="131" />
      <source>满意度</source>
      <translation>Satisfaction</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/case_detail.py" line="132" />
      <source>回访人</source>
      <translation>Visitor</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/case_detail.py" line="133" />
      <source>回访意见</source>
      <translation>Comments</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/case_detail.py" line="142" />
      <source>说明（如：三次来电无人接听）</source>
      <translation>Note (e.g. no answer to three calls)</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/case_detail.py" line="146" />
      <source>移出难题会诊名单</source>
      <translation>Remove from the hard-case conference list</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/case_detail.py" line="146" />
      <source>列入本周难题会诊</source>
      <translation>Add to this week's hard-case conference</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/case_detail.py" line="151" />
      <source>操作</source>
      <translation>Action</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/case_detail.py" line="151" />
      <source>会诊事由</source>
      <translation>Reason for the conference</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/case_detail.py" line="154" />
      <source>调整为</source>
      <translation>Change to</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/case_detail.py" line="154" />
      <location filename="../../gridstation/ui/case_detail.py" line="165" />
      <location filename="../../gridstation/ui/case_detail.py" line="172" />
      <source>原因</source>
      <translation>Reason</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/case_detail.py" line="160" />
      <source>未指定</source>
      <translation>not set</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/case_detail.py" line="163" />
      <source>现责任人</source>
      <translation>Current owner</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/case_detail.py" line="164" />
      <source>移交给</source>
      <translation>Hand over to</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/case_detail.py" line="170" />
      <source>更正项目</source>
      <translation>Field</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/case_detail.py" line="171" />
      <source>更正为</source>
      <translation>Correct to</translation>
    </message>
  </context>
  <context>
    <name>AdminDialog</name>
    <message>
      <location filename="../../gridstation/ui/admin_dialog.py" line="55" />
      <source>基础数据与人员</source>
      <translation>Reference data and staff</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/admin_dialog.py" line="70" />
      <source>分类</source>
      <translation>Category</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/admin_dialog.py" line="70" />
      <location filename="../../gridstation/ui/admin_dialog.py" line="72" />
      <source>编码</source>
      <translation>Code</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/admin_dialog.py" line="70" />
      <location filename="../../gridstation/ui/admin_dialog.py" line="72" />
      <location filename="../../gridstation/ui/admin_dialog.py" line="74" />
      <source>名称</source>
      <translation>Name</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/admin_dialog.py" line="70" />
      <source>上级</source>
      <translation>Parent</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/admin_dialog.py" line="72" />
      <location filename="../../gridstation/ui/admin_dialog.py" line="74" />
      <source>网格</source>
      <translation>Grid</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/admin_dialog.py" line="74" />
      <source>小区</source>
      <translation>Compound</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/admin_dialog.py" line="76" />
      <location filename="../../gridstation/ui/admin_dialog.py" line="88" />
      <source>人员</source>
      <translation>Staff</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/admin_dialog.py" line="88" />
      <source>时间</source>
      <translation>Time</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/admin_dialog.py" line="88" />
      <source>操作</source>
      <translation>Action</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/admin_dialog.py" line="88" />
      <source>内容</source>
      <translation>Details</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/admin_dialog.py" line="89" />
      <source>审计日志</source>
      <translation>Audit log</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/admin_dialog.py" line="96" />
      <source>从 CSV 导入…</source>
      <translation>Import from CSV…</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/admin_dialog.py" line="112" />
      <source>添加人员</source>
      <translation>Add staff member</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/admin_dialog.py" line="115" />
      <source>姓名</source>
      <translation>Name</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/admin_dialog.py" line="116" />
      <source>角色</source>
      <translation>Role</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/admin_dialog.py" line="117" />
      <source>PIN</source>
      <translation>PIN</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/admin_dialog.py" line="128" />
      <source>选择 CSV 文件</source>
      <translation>Choose a CSV file</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/admin_dialog.py" line="139" />
      <source>无法读取文件：{0}</source>
      <translation>Cannot read the file: {0}</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/admin_dialog.py" line="141" />
      <source>已导入 {0} 行。</source>
      <translation>Imported {0} rows.</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/admin_dialog.py" line="147" />
      <source>已添加 {0}。</source>
      <translation>Added {0}.</translation>
    </message>
  </context>
  <context>
    <name>AreaReportDialog</name>
    <message>
      <location filename="../../gridstation/ui/print_menu.py" line="33" />
      <source>片区民情调研问题反馈表：{0}</source>
      <translation>Area problem feedback form: {0}</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/print_menu.py" line="39" />
      <source>拟解决方案（可留空手写）</source>
      <translation>Proposed solution (may be left blank to write by hand)</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/print_menu.py" line="40" />
      <source>需协调支持事项（可留空手写）</source>
      <translation>Support requested (may be left blank to write by hand)</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/print_menu.py" line="43" />
      <source>预览</source>
      <translation>Preview</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/print_menu.py" line="43" />
      <source>取消</source>
      <translation>Cancel</translation>
    </message>
  </context>
  <context>
    <name>CaseDetailPanel</name>
    <message>
      <location filename="../../gridstation/ui/case_detail.py" line="245" />
      <location filename="../../gridstation/ui/case_detail.py" line="370" />
      <source>显示完整电话…</source>
      <translation>Show full phone…</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/case_detail.py" line="248" />
      <source>经验沉淀…</source>
      <translation>Share as experience…</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/case_detail.py" line="253" />
      <source>时间</source>
      <translation>Time</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/case_detail.py" line="253" />
      <source>事项</source>
      <translation>Step</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/case_detail.py" line="253" />
      <source>经办人</source>
      <translation>By</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/case_detail.py" line="253" />
      <source>内容</source>
      <translation>Details</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/case_detail.py" line="292" />
      <source>请在上方列表中选择一件诉求，查看办理经过并办理下一步。
Ctrl+N 新登记　Ctrl+F 查找　F5 刷新列表　F9 打印回执</source>
      <translation>Select a case in the list above to see its history and take the next step.
Ctrl+N new case   Ctrl+F find   F5 refresh list   F9 print receipt</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/case_detail.py" line="341" />
      <source>渠道</source>
      <translation>Channel</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/case_detail.py" line="342" />
      <source>分类</source>
      <translation>Category</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/case_detail.py" line="343" />
      <source>处置方式</source>
      <translation>Tier</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/case_detail.py" line="344" />
      <source>地址</source>
      <translation>Address</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/case_detail.py" line="345" />
      <source>居民</source>
      <translation>Resident</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/case_detail.py" line="345" />
      <source>未留姓名</source>
      <translation>No name given</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/case_detail.py" line="345" />
      <source>（匿名）</source>
      <translation> (anonymous)</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/case_detail.py" line="346" />
      <source>电话</source>
      <translation>Phone</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/case_detail.py" line="348" />
      <source>承办/责任人</source>
      <translation>Handler / owner</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/case_detail.py" line="349" />
      <source>登记</source>
      <translation>Register</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/case_detail.py" line="426" />
      <source>无时限</source>
      <translation>No deadline</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/case_detail.py" line="433" />
      <source>{0}时限：{1}（{2}）</source>
      <translation>{0} deadline: {1} ({2})</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/case_detail.py" line="448" />
      <source>督办提醒：{0}</source>
      <translation>Supervision reminder: {0}</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/case_detail.py" line="465" />
      <source>当场办结</source>
      <translation>Close on the spot</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/case_detail.py" line="467" />
      <source>移出难题会诊</source>
      <translation>Remove from conference</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/case_detail.py" line="467" />
      <source>列入难题会诊</source>
      <translation>Flag for conference</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/case_detail.py" line="370" />
      <source>隐藏电话</source>
      <translation>Hide phone</translation>
    </message>
  </context>
  <context>
    <name>CaseListPanel</name>
    <message>
      <location filename="../../gridstation/ui/case_list.py" line="82" />
      <source>搜索：编号、诉求内容、小区、地址、姓名、电话（Ctrl+F）</source>
      <translation>Search: number, text, compound, address, name, phone (Ctrl+F)</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/case_list.py" line="85" />
      <source>全部状态</source>
      <translation>All statuses</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/case_list.py" line="86" />
      <source>未办结</source>
      <translation>Open</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/case_list.py" line="90" />
      <source>全部方式</source>
      <translation>All tiers</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/case_list.py" line="94" />
      <source>全部预警</source>
      <translation>All warnings</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/case_list.py" line="98" />
      <source>全部分类</source>
      <translation>All categories</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/case_list.py" line="103" />
      <source>全部网格</source>
      <translation>All grids</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/case_list.py" line="106" />
      <source>起始日期不限</source>
      <translation>Any start date</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/case_list.py" line="107" />
      <source>截止日期不限</source>
      <translation>Any end date</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/case_list.py" line="224" />
      <source>正在查询…</source>
      <translation>Searching…</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/case_list.py" line="228" />
      <source>我的诉求：{0} 件在办（Ctrl+M 显示全部）</source>
      <translation>My cases: {0} open (Ctrl+M shows all)</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/case_list.py" line="230" />
      <source>{0} 的在办诉求：{1} 件（Ctrl+M 显示全部）</source>
      <translation>{0}'s open cases: {1} (Ctrl+M shows all)</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/case_list.py" line="233" />
      <source>共 {0} 件</source>
      <translation>{0} cases</translation>
    </message>
  </context>
  <context>
    <name>CaseTableModel</name>
    <message>
      <location filename="../../gridstation/ui/case_model.py" line="44" />
      <source>预警</source>
      <translation>Warning</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/case_model.py" line="45" />
      <source>剩余时间</source>
      <translation>Time left</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/case_model.py" line="46" />
      <source>编号</source>
      <translation>Number</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/case_model.py" line="53" />
      <source>登记时间</source>
      <translation>Registered</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/case_model.py" line="58" />
      <source>剩 {0}天</source>
      <translation>{0}d left</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/case_model.py" line="59" />
      <source>剩 {0}时</source>
      <translation>{0}h left</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/case_model.py" line="60" />
      <source>剩 {0}分</source>
      <translation>{0}m left</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/case_model.py" line="61" />
      <source>超 {0}天</source>
      <translation>{0}d over</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/case_model.py" line="62" />
      <source>超 {0}时</source>
      <translation>{0}h over</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/case_model.py" line="63" />
      <source>超 {0}分</source>
      <translation>{0}m over</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/case_model.py" line="47" />
      <source>分类</source>
      <translation>Category</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/case_model.py" line="48" />
      <source>小区/地址</source>
      <translation>Compound/address</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/case_model.py" line="49" />
      <source>诉求摘要</source>
      <translation>Summary</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/case_model.py" line="51" />
      <source>处置方式</source>
      <translation>Tier</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/case_model.py" line="50" />
      <source>状态</source>
      <translation>Status</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/case_model.py" line="52" />
      <source>承办</source>
      <translation>Handled by</translation>
    </message>
  </context>
  <context>
    <name>CategoryPicker</name>
    <message>
      <location filename="../../gridstation/ui/category_picker.py" line="92" />
      <source>输入分类名称或拼音首字母，如 zs</source>
      <translation>Type a category or its pinyin initials, e.g. zs</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/category_picker.py" line="237" />
      <source>没有与「{0}」相符的分类，请换个说法或拼音首字母。</source>
      <translation>No category matches “{0}”; try other words or pinyin initials.</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/category_picker.py" line="240" />
      <source>「{0}」有 {1} 个分类相符，请用 ↑↓ 选定后按回车。</source>
      <translation>{1} categories match “{0}”: choose one with ↑↓ and press Enter.</translation>
    </message>
  </context>
  <context>
    <name>ChangePinDialog</name>
    <message>
      <location filename="../../gridstation/ui/change_pin.py" line="22" />
      <source>修改 PIN</source>
      <translation>Change PIN</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/change_pin.py" line="26" />
      <source>至少 {0} 位</source>
      <translation>At least {0} digits</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/change_pin.py" line="31" />
      <source>修改</source>
      <translation>Change</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/change_pin.py" line="31" />
      <source>退出</source>
      <translation>Quit</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/change_pin.py" line="31" />
      <source>取消</source>
      <translation>Cancel</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/change_pin.py" line="33" />
      <source>当前 PIN</source>
      <translation>Current PIN</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/change_pin.py" line="34" />
      <source>新 PIN</source>
      <translation>New PIN</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/change_pin.py" line="35" />
      <source>再次输入新 PIN</source>
      <translation>New PIN again</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/change_pin.py" line="38" />
      <source>管理员的 PIN 现在至少要 {0} 位：4 位 PIN 在数据库被复制后几分钟内就能被试出。请现在修改。</source>
      <translation>An administrator's PIN now needs at least {0} digits: a 4-digit PIN can be guessed within minutes once the database is copied. Please change it now.</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/change_pin.py" line="51" />
      <source>两次输入的新 PIN 不一致。</source>
      <translation>The two new PINs do not match.</translation>
    </message>
  </context>
  <context>
    <name>ConflictInbox</name>
    <message>
      <location filename="../../gridstation/ui/sync/conflicts.py" line="40" />
      <source>冲突处理</source>
      <translation>Conflicts</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/sync/conflicts.py" line="44" />
      <source>编号</source>
      <translation>Number</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/sync/conflicts.py" line="44" />
      <source>项目</source>
      <translation>Field</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/sync/conflicts.py" line="44" />
      <source>本站的值</source>
      <translation>This station's value</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/sync/conflicts.py" line="44" />
      <source>城运中心的值</source>
      <translation>Centre's value</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/sync/conflicts.py" line="44" />
      <source>原值</source>
      <translation>Original value</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/sync/conflicts.py" line="50" />
      <source>采用本站的值(&amp;L)</source>
      <translation>Keep &amp;local value</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/sync/conflicts.py" line="51" />
      <source>保留城运中心的值(&amp;K)</source>
      <translation>&amp;Keep centre's value</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/sync/conflicts.py" line="54" />
      <source>没有待处理的冲突。</source>
      <translation>No conflicts waiting.</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/sync/conflicts.py" line="60" />
      <source>关闭</source>
      <translation>Close</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/sync/conflicts.py" line="75" />
      <location filename="../../gridstation/ui/sync/conflicts.py" line="78" />
      <source>{0}
{1}，{2}</source>
      <translation>{0}
{1}, {2}</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/sync/conflicts.py" line="80" />
      <source>城运中心</source>
      <translation>City operations centre</translation>
    </message>
  </context>
  <context>
    <name>DeadlineSettingsDialog</name>
    <message>
      <location filename="../../gridstation/ui/deadline_settings.py" line="28" />
      <location filename="../../gridstation/ui/deadline_settings.py" line="77" />
      <source>时限标准</source>
      <translation>Deadline standards</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/deadline_settings.py" line="32" />
      <source>每种处置方式的各阶段时限（分钟，null 表示不计时限）。保存后所有诉求的当前时限按新标准重新计算。</source>
      <translation>Minutes allowed for each stage, per tier (null means no deadline). Saving re-plans the current deadline of every case.</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/deadline_settings.py" line="38" />
      <source>从文件读入(&amp;F)…</source>
      <translation>Read from &amp;file…</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/deadline_settings.py" line="41" />
      <source>保存</source>
      <translation>Save</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/deadline_settings.py" line="41" />
      <source>取消</source>
      <translation>Cancel</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/deadline_settings.py" line="49" />
      <source>执行街道时限标准第 {0} 版（{1} 收到）；本站只能在此基础上收紧。</source>
      <translation>Running the district's deadline policy, version {0} (received {1}); this station may only tighten it.</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/deadline_settings.py" line="53" />
      <source>尚未收到街道时限标准：执行本站标准（默认 51530）。</source>
      <translation>No district deadline policy received yet: running this station's own (51530 by default).</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/deadline_settings.py" line="64" />
      <source>读入时限标准</source>
      <translation>Read deadline standards</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/deadline_settings.py" line="64" />
      <source>JSON 文件 (*.json)</source>
      <translation>JSON files (*.json)</translation>
    </message>
  </context>
  <context>
    <name>EndOfDayDialog</name>
    <message>
      <location filename="../../gridstation/ui/sync/end_of_day.py" line="38" />
      <source>日终同步</source>
      <translation>End-of-day sync</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/sync/end_of_day.py" line="40" />
      <source>准备同步…</source>
      <translation>Preparing to sync…</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/sync/end_of_day.py" line="45" />
      <source>取消(&amp;C)</source>
      <translation>&amp;Cancel</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/sync/end_of_day.py" line="47" />
      <source>打印/存为 PDF(&amp;P)…</source>
      <translation>&amp;Print / save as PDF…</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/sync/end_of_day.py" line="50" />
      <source>关闭</source>
      <translation>Close</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/sync/end_of_day.py" line="69" />
      <source>正在等待进行中的同步完成…</source>
      <translation>Waiting for the sync in progress to finish…</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/sync/end_of_day.py" line="79" />
      <source>{0}：{1} / {2}</source>
      <translation>{0}: {1} / {2}</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/sync/end_of_day.py" line="82" />
      <source>{0}：{1}</source>
      <translation>{0}: {1}</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/sync/end_of_day.py" line="108" />
      <source>正在取消…（已完成的部分会保留）</source>
      <translation>Cancelling… (what is done is kept)</translation>
    </message>
  </context>
  <context>
    <name>EnrolmentForm</name>
    <message>
      <location filename="../../gridstation/ui/sync/settings_dialog.py" line="51" />
      <source>登记码，或粘贴、扫入二维码的内容</source>
      <translation>Enrolment code, or paste or scan the QR code's text</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/sync/settings_dialog.py" line="53" />
      <source>从二维码图片读取(&amp;Q)…</source>
      <translation>Read from &amp;QR image…</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/sync/settings_dialog.py" line="59" />
      <source>服务器地址(&amp;S)</source>
      <translation>&amp;Server address</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/sync/settings_dialog.py" line="63" />
      <source>登记码(&amp;C)</source>
      <translation>Enrolment &amp;code</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/sync/settings_dialog.py" line="66" />
      <source>登记(&amp;E)</source>
      <translation>&amp;Enrol</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/sync/settings_dialog.py" line="81" />
      <source>只有管理员可以修改同步设置。</source>
      <translation>Only an administrator can change the sync settings.</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/sync/settings_dialog.py" line="87" />
      <source>已登记到 {0}。重新登记会换用新的凭证。</source>
      <translation>Enrolled with {0}. Enrolling again replaces the credential.</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/sync/settings_dialog.py" line="112" />
      <source>选择登记二维码图片</source>
      <translation>Choose the enrolment QR image</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/sync/settings_dialog.py" line="112" />
      <source>图片 (*.png *.jpg *.jpeg *.bmp)</source>
      <translation>Images (*.png *.jpg *.jpeg *.bmp)</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/sync/settings_dialog.py" line="132" />
      <source>正在登记…</source>
      <translation>Enrolling…</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/sync/settings_dialog.py" line="138" />
      <source>已登记：工作站 {0}（{1}）。</source>
      <translation>Enrolled: station {0} ({1}).</translation>
    </message>
  </context>
  <context>
    <name>EnrolmentPage</name>
    <message>
      <location filename="../../gridstation/ui/setup_wizard.py" line="35" />
      <source>第一步：登记到城运中心</source>
      <translation>Step 1: enrol with the centre</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/setup_wizard.py" line="38" />
      <source>用扫码枪扫入街道给的登记二维码，或粘贴二维码下方的文字，或选择二维码图片，然后按“登记”。暂时没有网络可以跳过，以后在“同步 → 同步设置”中登记。</source>
      <translation>Scan the enrolment QR code from the sub-district with a handheld scanner, paste the text printed under it, or choose the QR image, then press “Enrol”. Without a network yet you can skip this and enrol later in Sync → Sync settings.</translation>
    </message>
  </context>
  <context>
    <name>FinishPage</name>
    <message>
      <location filename="../../gridstation/ui/setup_wizard.py" line="89" />
      <source>第三步：人员、登录与上手指南</source>
      <translation>Step 3: staff, sign-in and the quick-start guide</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/setup_wizard.py" line="90" />
      <source>设置完成后，接待员用自己的姓名和 PIN 登录。</source>
      <translation>Once set up, clerks sign in with their own name and PIN.</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/setup_wizard.py" line="91" />
      <source>打印上手指南(&amp;G)…</source>
      <translation>Print the quick-start &amp;guide…</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/setup_wizard.py" line="97" />
      <source>在“文件 → 基础数据与人员 → 人员”中为每位接待员添加账号和 PIN。接待员上岗时在登录窗口选择自己的姓名、输入 PIN；换班用“文件 → 切换用户”，离开窗口按 Ctrl+L 锁定。</source>
      <translation>Add an account and PIN for every clerk in File → Reference data and staff → Staff. A clerk starting a shift chooses their name in the sign-in window and types their PIN; at a change of shift use File → Switch user, and press Ctrl+L to lock when leaving the desk.</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/setup_wizard.py" line="102" />
      <source>上手指南一页，贴在窗口旁；以后也可在“帮助 → 上手指南”中打印。</source>
      <translation>The quick-start guide is one page to pin up beside the counter; it can be printed later from Help → Quick-start guide.</translation>
    </message>
  </context>
  <context>
    <name>FirstRunDialog</name>
    <message>
      <location filename="../../gridstation/ui/sign_in.py" line="85" />
      <source>首次使用：建立工作站</source>
      <translation>First start: set up the station</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/sign_in.py" line="87" />
      <source>如 JA01（由街道分配，2–8 位字母或数字）</source>
      <translation>e.g. JA01 (assigned by the sub-district, 2–8 letters or digits)</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/sign_in.py" line="89" />
      <source>如 枫林居委会民情快办工作站</source>
      <translation>e.g. Fenglin residents' committee reception desk</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/sign_in.py" line="95" />
      <source>至少 {0} 位</source>
      <translation>At least {0} digits</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/sign_in.py" line="101" />
      <source>工作站编码</source>
      <translation>Station code</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/sign_in.py" line="102" />
      <source>工作站名称</source>
      <translation>Station name</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/sign_in.py" line="103" />
      <source>所属街道</source>
      <translation>Sub-district</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/sign_in.py" line="104" />
      <source>联系电话</source>
      <translation>Contact phone</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/sign_in.py" line="105" />
      <source>管理员姓名</source>
      <translation>Administrator name</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/sign_in.py" line="106" />
      <source>管理员 PIN</source>
      <translation>Administrator PIN</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/sign_in.py" line="107" />
      <source>再次输入 PIN</source>
      <translation>PIN again</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/sign_in.py" line="110" />
      <source>本机还没有工作站数据。请填写以下信息（也可运行 gridstation demo 建立演示站）。</source>
      <translation>This computer has no station data yet. Fill in the details below (or run gridstation demo for a demo station).</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/sign_in.py" line="99" />
      <source>建立</source>
      <translation>Create</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/sign_in.py" line="99" />
      <source>退出</source>
      <translation>Quit</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/sign_in.py" line="120" />
      <source>两次输入的 PIN 不一致。</source>
      <translation>The two PINs do not match.</translation>
    </message>
  </context>
  <context>
    <name>HelpMenu</name>
    <message>
      <location filename="../../gridstation/ui/help_menu.py" line="38" />
      <source>上手指南(&amp;G)…</source>
      <translation>Quick-start &amp;guide…</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/help_menu.py" line="40" />
      <source>首次设置向导(&amp;W)…</source>
      <translation>Set-up &amp;wizard…</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/help_menu.py" line="42" />
      <source>日志文件夹(&amp;L)…</source>
      <translation>&amp;Log Folder…</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/help_menu.py" line="44" />
      <source>关于 GridStation(&amp;A)…</source>
      <translation>&amp;About GridStation…</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/help_menu.py" line="59" />
      <source>上手指南</source>
      <translation>quick-start guide</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/help_menu.py" line="68" />
      <source>GridStation 民情快办工作站 {0}

数据目录：{1}
日志目录：{2}</source>
      <translation>GridStation reception desk {0}

Data folder: {1}
Log folder: {2}</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/help_menu.py" line="73" />
      <source>关于 GridStation</source>
      <translation>About GridStation</translation>
    </message>
  </context>
  <context>
    <name>HotspotsDialog</name>
    <message>
      <location filename="../../gridstation/ui/hotspots.py" line="49" />
      <source>热点问题（一类事）</source>
      <translation>Hotspots (one kind of problem)</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/hotspots.py" line="53" />
      <source>正在统计…</source>
      <translation>Counting…</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/hotspots.py" line="55" />
      <source>范围</source>
      <translation>Scope</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/hotspots.py" line="55" />
      <location filename="../../gridstation/ui/hotspots.py" line="57" />
      <source>类别</source>
      <translation>Category</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/hotspots.py" line="55" />
      <location filename="../../gridstation/ui/hotspots.py" line="57" />
      <source>网格</source>
      <translation>Grid</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/hotspots.py" line="55" />
      <location filename="../../gridstation/ui/hotspots.py" line="57" />
      <source>地点</source>
      <translation>Place</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/hotspots.py" line="55" />
      <source>逐周件数</source>
      <translation>Cases per week</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/hotspots.py" line="56" />
      <location filename="../../gridstation/ui/hotspots.py" line="57" />
      <source>说明</source>
      <translation>Why</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/hotspots.py" line="57" />
      <source>件数</source>
      <translation>Cases</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/hotspots.py" line="60" />
      <source>关闭</source>
      <translation>Close</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/hotspots.py" line="63" />
      <source>热点上升（同一网格或同一楼栋的同类诉求明显多于平时）</source>
      <translation>Rising (more cases of one kind in a grid or a building than usual)</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/hotspots.py" line="65" />
      <source>易反复问题（双击或按回车：查看最近一件）</source>
      <translation>Recurring problems (double-click or Enter: show the latest case)</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/hotspots.py" line="76" />
      <source>近 7 天与此前 {0} 周比较；上升 {1} 项，易反复 {2} 处。口径见 docs/report.md。</source>
      <translation>The last 7 days against the {0} weeks before; {1} rising, {2} recurring. Definitions: docs/report.md.</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/hotspots.py" line="100" />
      <source>无法统计热点问题：{0}</source>
      <translation>Hotspots could not be counted: {0}</translation>
    </message>
  </context>
  <context>
    <name>IntakeForm</name>
    <message>
      <location filename="../../gridstation/ui/intake.py" line="80" />
      <source>登记来访诉求</source>
      <translation>Log a walk-in</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/intake.py" line="96" />
      <source>小区/弄</source>
      <translation>Compound/lane</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/intake.py" line="98" />
      <source>楼栋、门牌，如 12号301</source>
      <translation>Building and door, e.g. No. 12, room 301</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/intake.py" line="100" />
      <source>补充地址（可选）</source>
      <translation>More address (optional)</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/intake.py" line="104" />
      <source>居民反映的问题（Enter 保存，Shift+Enter 换行）</source>
      <translation>The resident's problem (Enter saves, Shift+Enter new line)</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/intake.py" line="108" />
      <source>可不填</source>
      <translation>Optional</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/intake.py" line="110" />
      <source>手机或固话，如 13800138000 / 021-64321234</source>
      <translation>Mobile or landline, e.g. 13800138000 / 021-64321234</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/intake.py" line="111" />
      <source>居民要求匿名</source>
      <translation>Resident asks for anonymity</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/intake.py" line="114" />
      <source>当场答复的内容</source>
      <translation>The answer given at the desk</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/intake.py" line="116" />
      <source>当场答复</source>
      <translation>Answer given</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/intake.py" line="117" />
      <source>保存 (Enter)</source>
      <translation>Save (Enter)</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/intake.py" line="119" />
      <source>清空</source>
      <translation>Clear</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/intake.py" line="127" />
      <source>渠道</source>
      <translation>Channel</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/intake.py" line="128" />
      <source>分类 *</source>
      <translation>Category *</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/intake.py" line="129" />
      <source>处置方式 *</source>
      <translation>Tier *</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/intake.py" line="130" />
      <source>小区</source>
      <translation>Compound</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/intake.py" line="131" />
      <source>楼栋</source>
      <translation>Building</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/intake.py" line="132" />
      <source>地址</source>
      <translation>Address</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/intake.py" line="133" />
      <source>网格</source>
      <translation>Grid</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/intake.py" line="134" />
      <source>诉求内容 *</source>
      <translation>Complaint *</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/intake.py" line="135" />
      <source>姓名</source>
      <translation>Name</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/intake.py" line="136" />
      <location filename="../../gridstation/ui/intake.py" line="313" />
      <source>电话 *</source>
      <translation>Phone *</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/intake.py" line="268" />
      <source>（未指定）</source>
      <translation>(not set)</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/intake.py" line="313" />
      <source>电话</source>
      <translation>Phone</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/intake.py" line="325" />
      <location filename="../../gridstation/ui/intake.py" line="330" />
      <source>{0} / {1} 字</source>
      <translation>{0} / {1} characters</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/intake.py" line="409" />
      <source>有 {0} 项需要修改。</source>
      <translation>{0} fields need attention.</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/intake.py" line="414" />
      <source>正在保存…</source>
      <translation>Saving…</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/intake.py" line="432" />
      <source>已保存：{0}</source>
      <translation>Saved: {0}</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/intake.py" line="442" />
      <source>未保存：{0}
已填写的内容已保留，可直接重试。</source>
      <translation>Not saved: {0}
What you typed is kept; you can retry.</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/intake.py" line="502" />
      <source>没有疑似重复的在办诉求可追加；按 Enter 登记为新诉求。</source>
      <translation>No open case looks like a duplicate to add this to; press Enter to register a new case.</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/intake.py" line="507" />
      <source>请先填写居民反映的内容。</source>
      <translation>First enter what the resident reported.</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/intake.py" line="510" />
      <source>正在追加到 {0}…</source>
      <translation>Adding to {0}…</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/intake.py" line="518" />
      <source>已追加到 {0}（未另登记新诉求）</source>
      <translation>Added to {0} (no new case registered)</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/intake.py" line="557" />
      <source>草稿无法写入磁盘，请尽快保存。</source>
      <translation>The draft cannot be written to disk; please save soon.</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/intake.py" line="579" />
      <source>已恢复上次未保存的登记内容。</source>
      <translation>Restored the intake you had not saved.</translation>
    </message>
  </context>
  <context>
    <name>KnowledgeDialog</name>
    <message>
      <location filename="../../gridstation/ui/knowledge.py" line="71" />
      <source>知识库</source>
      <translation>Knowledge base</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/knowledge.py" line="76" />
      <source>输入居民反映的问题或关键词，如“楼道堆满纸箱”“电瓶车飞线充电”</source>
      <translation>Type the resident's problem or key words, e.g. "boxes piled in the stairwell", "e-bike charged from a window"</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/knowledge.py" line="80" />
      <source>“{0}”分类优先</source>
      <translation>"{0}" first</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/knowledge.py" line="103" />
      <location filename="../../gridstation/ui/knowledge.py" line="120" />
      <source>检索</source>
      <translation>Search</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/knowledge.py" line="115" />
      <source>提出时间</source>
      <translation>Proposed at</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/knowledge.py" line="115" />
      <source>诉求编号</source>
      <translation>Case number</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/knowledge.py" line="115" />
      <source>标题</source>
      <translation>Title</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/knowledge.py" line="115" />
      <source>状态</source>
      <translation>Status</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/knowledge.py" line="121" />
      <source>本站经验沉淀</source>
      <translation>Our proposals</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/knowledge.py" line="123" />
      <source>关闭</source>
      <translation>Close</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/knowledge.py" line="150" />
      <source>正在检索…</source>
      <translation>Searching…</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/knowledge.py" line="181" />
      <source>找到 {0} 篇相关条目</source>
      <translation>{0} articles found</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/knowledge.py" line="181" />
      <source>共 {0} 篇条目</source>
      <translation>{0} articles</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/knowledge.py" line="192" />
      <source>检索失败：{0}</source>
      <translation>Search failed: {0}</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/knowledge.py" line="196" />
      <source>没有找到相关条目，可换个说法或少输几个字。</source>
      <translation>Nothing found. Try other words, or fewer of them.</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/knowledge.py" line="197" />
      <source>本站还没有知识库条目：城运中心发布后，同步时会自动下载。</source>
      <translation>This station has no articles yet: they are downloaded with the sync once the centre publishes them.</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/knowledge.py" line="202" />
      <source>{0}
相关：{1}</source>
      <translation>{0}
Matches: {1}</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/knowledge.py" line="216" />
      <source>长期</source>
      <translation>open-ended</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/knowledge.py" line="217" />
      <source>{0} 至 {1}</source>
      <translation>{0} to {1}</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/knowledge.py" line="219" />
      <source>适用分类：{0}</source>
      <translation>Categories: {0}</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/knowledge.py" line="220" />
      <source>关键词：{0}</source>
      <translation>Key words: {0}</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/knowledge.py" line="221" />
      <source>有效期：{0}</source>
      <translation>Valid: {0}</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/knowledge.py" line="222" />
      <source>来源：{0}</source>
      <translation>Source: {0}</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/knowledge.py" line="223" />
      <source>第 {0} 版，{1} 更新</source>
      <translation>Version {0}, updated {1}</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/knowledge.py" line="248" />
      <source>本站还没有提出经验沉淀（在已办结诉求上点“经验沉淀…”）。</source>
      <translation>No proposals from this station yet (on a closed case, click "Share as experience…").</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/knowledge.py" line="257" />
      <source>未被接收：{0}</source>
      <translation>Not accepted: {0}</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/knowledge.py" line="259" />
      <source>待发送（下次同步报送城运中心）</source>
      <translation>To be sent (with the next sync to the centre)</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/knowledge.py" line="262" />
      <source>{0}：{1}</source>
      <translation>{0}: {1}</translation>
    </message>
  </context>
  <context>
    <name>LedgerImport</name>
    <message>
      <location filename="../../gridstation/ui/ledger_import.py" line="43" />
      <source>选择历史台账</source>
      <translation>Choose a historic ledger</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/ledger_import.py" line="45" />
      <source>台账 (*.csv *.xlsx)</source>
      <translation>Ledgers (*.csv *.xlsx)</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/ledger_import.py" line="78" />
      <location filename="../../gridstation/ui/ledger_import.py" line="135" />
      <location filename="../../gridstation/ui/ledger_import.py" line="174" />
      <source>导入历史台账</source>
      <translation>Import historic ledger</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/ledger_import.py" line="79" />
      <source>正在读取 {0}…</source>
      <translation>Reading {0}…</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/ledger_import.py" line="101" />
      <source>正在读取文件…</source>
      <translation>Reading the file…</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/ledger_import.py" line="102" />
      <source>正在核对：{0} / {1} 行</source>
      <translation>Checking: row {0} of {1}</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/ledger_import.py" line="103" />
      <source>正在导入：{0} / {1} 件</source>
      <translation>Importing: case {0} of {1}</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/ledger_import.py" line="122" />
      <source>「{0}」中没有新的诉求需要导入：{1}</source>
      <translation>“{0}” holds no new cases to import: {1}</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/ledger_import.py" line="126" />
      <source>「{0}」核对无误，将导入 {1} 件（{2}）。{3}</source>
      <translation>“{0}” checked without problems: {1} cases will be imported ({2}). {3}</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/ledger_import.py" line="130" />
      <source>导入后不能撤销：每件诉求都按台账中的时间记入办理记录。是否导入？</source>
      <translation>An import cannot be undone: every case enters the case history at the ledger's times. Import now?</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/ledger_import.py" line="156" />
      <source>已导入 {0} 件（{1}），{2}</source>
      <translation>Imported {0} cases ({1}); {2}</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/ledger_import.py" line="169" />
      <source>无法导入历史台账</source>
      <translation>Could not import the historic ledger</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/ledger_import.py" line="184" />
      <source>跳过已导入 {0} 件。</source>
      <translation>{0} already imported, skipped.</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/ledger_import.py" line="187" />
      <source>，</source>
      <translation>, </translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/ledger_import.py" line="188" />
      <source>{0} {1}</source>
      <translation>{0} {1}</translation>
    </message>
  </context>
  <context>
    <name>LockDialog</name>
    <message>
      <location filename="../../gridstation/ui/shift.py" line="103" />
      <source>切换用户</source>
      <translation>Switch user</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/shift.py" line="103" />
      <source>已锁定</source>
      <translation>Locked</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/shift.py" line="115" />
      <source>PIN 或密码</source>
      <translation>PIN or password</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/shift.py" line="118" />
      <source>登录</source>
      <translation>Sign in</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/shift.py" line="118" />
      <source>解锁</source>
      <translation>Unlock</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/shift.py" line="123" />
      <source>请下一位工作人员输入姓名和 PIN。</source>
      <translation>Next member of staff: enter your name and PIN.</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/shift.py" line="125" />
      <source>桌面已锁定（{0}）。输入 PIN 解锁，或由其他工作人员输入自己的姓名和 PIN 登录。</source>
      <translation>The desk is locked ({0}). Enter the PIN to unlock, or another member of staff signs in with their own name and PIN.</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/shift.py" line="132" />
      <source>姓名</source>
      <translation>Name</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/shift.py" line="133" />
      <source>PIN</source>
      <translation>PIN</translation>
    </message>
  </context>
  <context>
    <name>MainWindow</name>
    <message>
      <location filename="../../gridstation/ui/main_window.py" line="75" />
      <source>GridStation 民情快办工作站 — {0}</source>
      <translation>GridStation reception desk — {0}</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/main_window.py" line="247" />
      <source>{0}（{1}）</source>
      <translation>{0} ({1})</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/main_window.py" line="124" />
      <source>文件(&amp;F)</source>
      <translation>&amp;File</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/main_window.py" line="125" />
      <source>备份数据(&amp;B)…</source>
      <translation>&amp;Back up data…</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/main_window.py" line="128" />
      <source>从备份恢复(&amp;R)…</source>
      <translation>&amp;Restore from backup…</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/main_window.py" line="130" />
      <source>退出(&amp;X)</source>
      <translation>E&amp;xit</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/main_window.py" line="133" />
      <source>基础数据与人员(&amp;D)…</source>
      <translation>Reference &amp;data and staff…</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/main_window.py" line="135" />
      <source>修改我的 PIN(&amp;P)…</source>
      <translation>Change my &amp;PIN…</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/main_window.py" line="137" />
      <source>时限标准(&amp;T)…</source>
      <translation>Deadline s&amp;tandards…</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/main_window.py" line="139" />
      <source>导入历史台账(&amp;I)…</source>
      <translation>&amp;Import historic ledger…</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/main_window.py" line="141" />
      <source>锁定(&amp;L)</source>
      <translation>&amp;Lock</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/main_window.py" line="145" />
      <source>切换用户(&amp;U)…</source>
      <translation>Switch &amp;user…</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/main_window.py" line="162" />
      <source>诉求(&amp;C)</source>
      <translation>&amp;Cases</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/main_window.py" line="163" />
      <source>新登记(&amp;N)</source>
      <translation>&amp;New intake</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/main_window.py" line="166" />
      <source>查找(&amp;F)</source>
      <translation>&amp;Find</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/main_window.py" line="169" />
      <source>刷新列表</source>
      <translation>Refresh list</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/main_window.py" line="172" />
      <source>我的诉求(&amp;M)</source>
      <translation>&amp;My cases</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/main_window.py" line="177" />
      <source>工作量(&amp;L)…</source>
      <translation>Work&amp;load…</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/main_window.py" line="183" />
      <source>热点问题(&amp;H)…</source>
      <translation>&amp;Hotspots…</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/main_window.py" line="186" />
      <source>打印(&amp;P)</source>
      <translation>&amp;Print</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/main_window.py" line="188" />
      <source>同步(&amp;S)</source>
      <translation>&amp;Sync</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/main_window.py" line="189" />
      <source>日终同步(&amp;E)…</source>
      <translation>&amp;End-of-day sync…</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/main_window.py" line="192" />
      <source>立即同步(&amp;N)</source>
      <translation>Sync &amp;now</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/main_window.py" line="194" />
      <source>冲突处理(&amp;C)…</source>
      <translation>&amp;Conflicts…</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/main_window.py" line="196" />
      <source>新工单(&amp;W)…</source>
      <translation>New &amp;work orders…</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/main_window.py" line="198" />
      <source>同步设置(&amp;S)…</source>
      <translation>Sync &amp;settings…</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/main_window.py" line="204" />
      <source>帮助(&amp;H)</source>
      <translation>&amp;Help</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/main_window.py" line="205" />
      <source>知识库(&amp;K)…</source>
      <translation>&amp;Knowledge base…</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/main_window.py" line="265" />
      <source>已登记 {0}　按 F9 打印回执</source>
      <translation>Registered {0}  Press F9 to print the receipt</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/main_window.py" line="271" />
      <source>已追加到 {0}　按 F9 打印回执</source>
      <translation>Added to {0}　Press F9 to print the receipt</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/main_window.py" line="308" />
      <source>PIN 已修改。</source>
      <translation>PIN changed.</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/main_window.py" line="317" />
      <source>备份到</source>
      <translation>Back up to</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/main_window.py" line="319" />
      <source>GridStation 加密备份 (*{0})</source>
      <translation>GridStation encrypted backup (*{0})</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/main_window.py" line="324" />
      <source>备份将用口令加密，没有口令无法恢复，请牢记。备份不含同步凭证。</source>
      <translation>The backup is encrypted with a passphrase and cannot be restored without it: keep it safe. The backup does not contain the sync credential.</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/main_window.py" line="329" />
      <source>备份口令</source>
      <translation>Backup passphrase</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/main_window.py" line="343" />
      <source>已加密备份到 {0}</source>
      <translation>Encrypted backup saved to {0}</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/main_window.py" line="360" />
      <source>将用备份替换本站当前数据。当前数据会先加密另存一份，可再恢复回来。是否继续？</source>
      <translation>The station's current data will be replaced by the backup. The current data is first saved as an encrypted copy, from which it can be restored. Continue?</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/main_window.py" line="366" />
      <source>这是旧版未加密的备份。请设置一个口令，用来加密恢复前的安全副本。</source>
      <translation>This is an unencrypted backup from an older version. Set a passphrase to encrypt the safety copy of the current data.</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/main_window.py" line="368" />
      <source>请输入做这份备份时设置的口令。</source>
      <translation>Enter the passphrase set when this backup was made.</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/main_window.py" line="377" />
      <source>已恢复。原数据加密另存于 {0}</source>
      <translation>Restored. The previous data was saved, encrypted, to {0}</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/main_window.py" line="384" />
      <source>这是旧版未加密的备份，任何拿到该文件的人都能读出居民信息：请立即重新做一份加密备份，并销毁这个文件。</source>
      <translation>This was an unencrypted backup from an older version: anyone who has the file can read residents' data. Make a new encrypted backup now and destroy that file.</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/main_window.py" line="391" />
      <source>本机尚未登记到城运中心（备份不含同步凭证）：请街道管理员签发新的登记码（gridstation-server station add {0} --new-code），再在“同步 → 同步设置”中重新登记。</source>
      <translation>This desk is not enrolled with the city operations centre (backups do not contain the sync credential): ask the sub-district administrator for a new enrolment code (gridstation-server station add {0} --new-code), then enrol again under Sync → Sync settings.</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/main_window.py" line="396" />
      <source>恢复完成</source>
      <translation>Restore complete</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/main_window.py" line="403" />
      <source>恢复失败</source>
      <translation>Restore failed</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/main_window.py" line="340" />
      <source>正在备份…</source>
      <translation>Backing up…</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/main_window.py" line="344" />
      <source>备份失败</source>
      <translation>Backup failed</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/main_window.py" line="351" />
      <source>选择备份文件</source>
      <translation>Choose a backup file</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/main_window.py" line="353" />
      <source>GridStation 备份 (*{0} *.db)</source>
      <translation>GridStation backup (*{0} *.db)</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/main_window.py" line="359" />
      <source>确认恢复</source>
      <translation>Confirm restore</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/main_window.py" line="373" />
      <source>正在恢复…</source>
      <translation>Restoring…</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/main_window.py" line="427" />
      <location filename="../../gridstation/ui/main_window.py" line="429" />
      <source>日终同步结果</source>
      <translation>End-of-day sync result</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/main_window.py" line="481" />
      <source>收到 {0} 件新工单</source>
      <translation>{0} new work order(s) received</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/main_window.py" line="483" />
      <source>，其中紧急 {0} 件</source>
      <translation>, {0} urgent</translation>
    </message>
  </context>
  <context>
    <name>PassphraseDialog</name>
    <message>
      <location filename="../../gridstation/ui/secure_dialogs.py" line="30" />
      <source>备份口令</source>
      <translation>Backup passphrase</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/secure_dialogs.py" line="32" />
      <source>再次输入</source>
      <translation>Enter again</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/secure_dialogs.py" line="34" />
      <source>确定</source>
      <translation>OK</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/secure_dialogs.py" line="34" />
      <source>取消</source>
      <translation>Cancel</translation>
    </message>
  </context>
  <context>
    <name>PhotoStrip</name>
    <message>
      <location filename="../../gridstation/ui/photos.py" line="60" />
      <source>添加照片…</source>
      <translation>Add photos…</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/photos.py" line="62" />
      <source>选择照片文件；也可把照片拖到此处，或复制后按 Ctrl+V 粘贴</source>
      <translation>Choose photo files; you can also drag photos here, or copy one and press Ctrl+V</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/photos.py" line="99" />
      <source>照片（{0}）</source>
      <translation>Photos ({0})</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/photos.py" line="99" />
      <source>照片：暂无</source>
      <translation>Photos: none</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/photos.py" line="103" />
      <source>照片</source>
      <translation>Photo</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/photos.py" line="108" />
      <source>已上传</source>
      <translation>Uploaded</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/photos.py" line="110" />
      <source>未被接收：{0}</source>
      <translation>Not accepted: {0}</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/photos.py" line="112" />
      <source>待下载：{0}</source>
      <translation>To download: {0}</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/photos.py" line="114" />
      <source>待下载（下次同步时取回）</source>
      <translation>To download (fetched at the next sync)</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/photos.py" line="118" />
      <source>来自城运中心</source>
      <translation>From the centre</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/photos.py" line="120" />
      <source>待上传</source>
      <translation>Waiting to upload</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/photos.py" line="116" />
      <source>本机没有此照片</source>
      <translation>Not on this computer</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/photos.py" line="133" />
      <source>选择照片</source>
      <translation>Choose photos</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/photos.py" line="133" />
      <source>图片 (*.jpg *.jpeg *.png *.webp);;所有文件 (*)</source>
      <translation>Images (*.jpg *.jpeg *.png *.webp);;All files (*)</translation>
    </message>
  </context>
  <context>
    <name>PhotoViewer</name>
    <message>
      <location filename="../../gridstation/ui/photos.py" line="217" />
      <source>照片</source>
      <translation>Photo</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/photos.py" line="222" />
      <source>本机没有这张照片的原图（它是在别处添加的）。</source>
      <translation>This computer does not have the original of this photo (it was added elsewhere).</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/photos.py" line="234" />
      <source>关闭</source>
      <translation>Close</translation>
    </message>
  </context>
  <context>
    <name>PreviewDialog</name>
    <message>
      <location filename="../../gridstation/ui/printing.py" line="117" />
      <source>打印预览 — {0}</source>
      <translation>Print preview — {0}</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/printing.py" line="126" />
      <source>打印(&amp;P)…</source>
      <translation>&amp;Print…</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/printing.py" line="127" />
      <source>另存为 PDF(&amp;S)…</source>
      <translation>&amp;Save as PDF…</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/printing.py" line="128" />
      <source>关闭</source>
      <translation>Close</translation>
    </message>
  </context>
  <context>
    <name>PrintController</name>
    <message>
      <location filename="../../gridstation/ui/printing.py" line="175" />
      <source>正在生成回执…</source>
      <translation>Preparing the receipt…</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/printing.py" line="187" />
      <source>回执 {0}</source>
      <translation>Receipt {0}</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/printing.py" line="212" />
      <source>已打印回执 {0}</source>
      <translation>Printed the receipt for {0}</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/printing.py" line="220" />
      <source>正在发送到热敏打印机…</source>
      <translation>Sending to the receipt printer…</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/printing.py" line="232" />
      <source>正在生成{0}…</source>
      <translation>Preparing {0}…</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/printing.py" line="250" />
      <source>{0}：预览</source>
      <translation>{0}: preview</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/printing.py" line="280" />
      <source>正在打印{0}…</source>
      <translation>Printing {0}…</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/printing.py" line="284" />
      <source>已打印{0}</source>
      <translation>Printed {0}</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/printing.py" line="304" />
      <source>已保存 {0}</source>
      <translation>Saved {0}</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/printing.py" line="315" />
      <source>打印未完成</source>
      <translation>Printing did not finish</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/printing.py" line="316" />
      <source>诉求已保存，不受影响。</source>
      <translation>The case is saved and not affected.</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/printing.py" line="317" />
      <source>重试(&amp;R)</source>
      <translation>&amp;Retry</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/printing.py" line="318" />
      <source>另存为 PDF(&amp;S)…</source>
      <translation>&amp;Save as PDF…</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/printing.py" line="319" />
      <source>取消</source>
      <translation>Cancel</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/printing.py" line="338" />
      <source>无法生成文档</source>
      <translation>Could not prepare the document</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/printing.py" line="346" />
      <source>打印</source>
      <translation>Print</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/printing.py" line="351" />
      <source>另存为 PDF</source>
      <translation>Save as PDF</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/printing.py" line="351" />
      <source>PDF 文件 (*.pdf)</source>
      <translation>PDF files (*.pdf)</translation>
    </message>
  </context>
  <context>
    <name>PrintMenu</name>
    <message>
      <location filename="../../gridstation/ui/print_menu.py" line="74" />
      <source>打印回执(&amp;R)</source>
      <translation>Print &amp;receipt</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/print_menu.py" line="75" />
      <source>预览回执(&amp;V)…</source>
      <translation>Pre&amp;view receipt…</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/print_menu.py" line="77" />
      <source>回访满意度表(&amp;F)…</source>
      <translation>&amp;Follow-up satisfaction form…</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/print_menu.py" line="78" />
      <source>空白回访满意度表…</source>
      <translation>Blank follow-up satisfaction form…</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/print_menu.py" line="79" />
      <source>片区民情调研问题反馈表(&amp;A)…</source>
      <translation>&amp;Area problem feedback form…</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/print_menu.py" line="80" />
      <source>空白片区民情调研问题反馈表…</source>
      <translation>Blank area problem feedback form…</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/print_menu.py" line="82" />
      <source>晨会日报(&amp;M)…</source>
      <translation>&amp;Morning report…</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/print_menu.py" line="85" />
      <source>打印设置(&amp;S)…</source>
      <translation>Print &amp;settings…</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/print_menu.py" line="91" />
      <source>请先在列表中选择一件诉求。</source>
      <translation>Select a case in the list first.</translation>
    </message>
  </context>
  <context>
    <name>PrintSettingsDialog</name>
    <message>
      <location filename="../../gridstation/ui/print_settings.py" line="31" />
      <source>打印设置</source>
      <translation>Print settings</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/print_settings.py" line="42" />
      <source>同时打印工作站存根</source>
      <translation>Also print the station's stub</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/print_settings.py" line="45" />
      <source>系统默认打印机</source>
      <translation>System default printer</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/print_settings.py" line="49" />
      <source>{0}（未找到）</source>
      <translation>{0} (not found)</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/print_settings.py" line="52" />
      <source>回执</source>
      <translation>Receipt</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/print_settings.py" line="54" />
      <source>纸张</source>
      <translation>Paper</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/print_settings.py" line="55" />
      <source>登记后按 F9</source>
      <translation>F9 after registering</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/print_settings.py" line="57" />
      <source>打印机</source>
      <translation>Printer</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/print_settings.py" line="79" />
      <source>热敏打印机（ESC/POS 直连，打印中文和二维码）</source>
      <translation>Receipt printer (ESC/POS direct: Chinese text and QR codes)</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/print_settings.py" line="81" />
      <source>连接方式</source>
      <translation>Connection</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/print_settings.py" line="82" />
      <source>IP 地址</source>
      <translation>IP address</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/print_settings.py" line="83" />
      <source>端口</source>
      <translation>Port</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/print_settings.py" line="84" />
      <source>USB 厂商号</source>
      <translation>USB vendor ID</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/print_settings.py" line="85" />
      <source>USB 产品号</source>
      <translation>USB product ID</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/print_settings.py" line="86" />
      <source>串口</source>
      <translation>Serial port</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/print_settings.py" line="87" />
      <source>波特率</source>
      <translation>Baud rate</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/print_settings.py" line="93" />
      <source>保存</source>
      <translation>Save</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/print_settings.py" line="93" />
      <source>取消</source>
      <translation>Cancel</translation>
    </message>
  </context>
  <context>
    <name>PrinterPage</name>
    <message>
      <location filename="../../gridstation/ui/setup_wizard.py" line="56" />
      <source>第二步：打印机</source>
      <translation>Step 2: printer</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/setup_wizard.py" line="57" />
      <source>选择回执的纸张和打印机；热敏打印机可以设为 ESC/POS 直连（网络、USB 或串口）。</source>
      <translation>Choose the receipt paper and printer; a thermal printer can be driven directly over ESC/POS (network, USB or serial port).</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/setup_wizard.py" line="59" />
      <source>打印设置(&amp;P)…</source>
      <translation>&amp;Print settings…</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/setup_wizard.py" line="73" />
      <source>系统默认打印机</source>
      <translation>System default printer</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/setup_wizard.py" line="74" />
      <source>现在：回执纸张 {0}，打印机 {1}</source>
      <translation>Now: receipt paper {0}, printer {1}</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/setup_wizard.py" line="76" />
      <source>，热敏打印机直连已设置</source>
      <translation>, direct thermal printer set up</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/setup_wizard.py" line="77" />
      <source>。</source>
      <translation>.</translation>
    </message>
  </context>
  <context>
    <name>ProblemsDialog</name>
    <message>
      <location filename="../../gridstation/ui/ledger_import.py" line="200" />
      <source>历史台账有误，未导入</source>
      <translation>Historic ledger has errors: nothing imported</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/ledger_import.py" line="204" />
      <source>有 {0} 行不符合要求，一件也没有导入。请按下列行号在 Excel 中修改，再重新导入：</source>
      <translation>{0} rows do not meet the rules, so nothing was imported. Correct these rows in Excel and import again:</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/ledger_import.py" line="212" />
      <source>关闭</source>
      <translation>Close</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/ledger_import.py" line="213" />
      <source>复制全部(&amp;C)</source>
      <translation>&amp;Copy all</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/ledger_import.py" line="225" />
      <source>已复制</source>
      <translation>Copied</translation>
    </message>
  </context>
  <context>
    <name>ProposalDialog</name>
    <message>
      <location filename="../../gridstation/ui/knowledge.py" line="278" />
      <source>经验沉淀：{0}</source>
      <translation>Share as experience: {0}</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/knowledge.py" line="287" />
      <source>用“、”分隔，如 香樟树、采光、修剪</source>
      <translation>Separated by "、", e.g. 香樟树、采光、修剪</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/knowledge.py" line="293" />
      <source>把这件诉求的办理经验写成知识库条目，随下次同步报送城运中心审核，采纳后下发各工作站。请删去居民姓名、电话、门牌号等个人信息。</source>
      <translation>Write how this case was solved as a knowledge-base article. It goes to the centre with the next sync for review and, once approved, to every station. Leave out residents' names, phone numbers and door numbers.</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/knowledge.py" line="299" />
      <source>标题 *</source>
      <translation>Title *</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/knowledge.py" line="300" />
      <source>分类代码</source>
      <translation>Category codes</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/knowledge.py" line="301" />
      <source>关键词</source>
      <translation>Key words</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/knowledge.py" line="302" />
      <source>正文 *</source>
      <translation>Text *</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/knowledge.py" line="304" />
      <source>提交</source>
      <translation>Submit</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/knowledge.py" line="304" />
      <source>取消</source>
      <translation>Cancel</translation>
    </message>
  </context>
  <context>
    <name>SetupWizard</name>
    <message>
      <location filename="../../gridstation/ui/setup_wizard.py" line="121" />
      <source>首次设置向导</source>
      <translation>Set-up wizard</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/setup_wizard.py" line="123" />
      <source>下一步(&amp;N) &gt;</source>
      <translation>&amp;Next &gt;</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/setup_wizard.py" line="124" />
      <source>&lt; 上一步(&amp;B)</source>
      <translation>&lt; &amp;Back</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/setup_wizard.py" line="125" />
      <source>完成(&amp;F)</source>
      <translation>&amp;Finish</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/setup_wizard.py" line="126" />
      <source>以后再说</source>
      <translation>Later</translation>
    </message>
  </context>
  <context>
    <name>ShiftControl</name>
    <message>
      <location filename="../../gridstation/ui/shift.py" line="238" />
      <source>登记表中有未保存的内容</source>
      <translation>The intake form has unsaved entries</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/shift.py" line="239" />
      <source>{0} 填写的登记表还没有保存。由您接手继续登记，还是清空登记表？</source>
      <translation>The intake form {0} was filling in has not been saved. Take it over and continue, or clear the form?</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/shift.py" line="243" />
      <source>由我接手</source>
      <translation>Take it over</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/shift.py" line="244" />
      <source>清空登记表</source>
      <translation>Clear the form</translation>
    </message>
  </context>
  <context>
    <name>SignInDialog</name>
    <message>
      <location filename="../../gridstation/ui/sign_in.py" line="43" />
      <source>登录 GridStation</source>
      <translation>Sign in to GridStation</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/sign_in.py" line="49" />
      <source>PIN 或密码</source>
      <translation>PIN or password</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/sign_in.py" line="53" />
      <source>姓名</source>
      <translation>Name</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/sign_in.py" line="54" />
      <source>PIN</source>
      <translation>PIN</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/sign_in.py" line="51" />
      <source>登录</source>
      <translation>Sign in</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/sign_in.py" line="51" />
      <source>退出</source>
      <translation>Quit</translation>
    </message>
  </context>
  <context>
    <name>SimilarPanel</name>
    <message>
      <location filename="../../gridstation/ui/similar_panel.py" line="87" />
      <source>相关诉求</source>
      <translation>Related cases</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/similar_panel.py" line="109" />
      <source>输入诉求内容、地址或电话后，这里显示本地址的历史、复发和相似诉求。</source>
      <translation>Once you type the complaint, address or phone, this shows the address's history, repeats and similar cases.</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/similar_panel.py" line="195" />
      <source>暂时无法查找相关诉求。</source>
      <translation>Related cases cannot be looked up right now.</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/similar_panel.py" line="203" />
      <source>知识库：{0}（F1 查看）</source>
      <translation>Knowledge base: {0} (F1 to read)</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/similar_panel.py" line="210" />
      <source>复发：本地址 {0} 办结过同类诉求 {1}（{2}）。保存后新诉求将关联为复发。</source>
      <translation>Repeat: the same problem at this address was closed on {0} as {1} ({2}). The new case will be linked to it as a repeat.</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/similar_panel.py" line="219" />
      <source>疑似重复：{0} 尚在办理（{1}）。按 F8 把这次来访追加到该诉求，不另登记。</source>
      <translation>Likely duplicate: {0} is still open ({1}). Press F8 to add this visit to it instead of registering a new case.</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/similar_panel.py" line="223" />
      <source>追加到 {0} (F8)</source>
      <translation>Add to {0} (F8)</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/similar_panel.py" line="235" />
      <source>没有相关诉求。</source>
      <translation>No related cases.</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/similar_panel.py" line="240" />
      <source>；处置：{0}</source>
      <translation>; solved: {0}</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/similar_panel.py" line="241" />
      <source>；回访：{0}</source>
      <translation>; follow-up: {0}</translation>
    </message>
  </context>
  <context>
    <name>StaffPeople</name>
    <message>
      <location filename="../../gridstation/ui/staff_tab.py" line="51" />
      <source>姓名</source>
      <translation>Name</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/staff_tab.py" line="51" />
      <source>角色</source>
      <translation>Role</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/staff_tab.py" line="51" />
      <source>状态</source>
      <translation>Status</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/staff_tab.py" line="51" />
      <source>添加日期</source>
      <translation>Added on</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/staff_tab.py" line="60" />
      <source>在岗</source>
      <translation>Active</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/staff_tab.py" line="60" />
      <source>已停用</source>
      <translation>Disabled</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/staff_tab.py" line="71" />
      <source>新 PIN</source>
      <translation>New PIN</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/staff_tab.py" line="72" />
      <source>重置 PIN</source>
      <translation>Reset PIN</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/staff_tab.py" line="75" />
      <location filename="../../gridstation/ui/staff_tab.py" line="108" />
      <source>停用</source>
      <translation>Disable</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/staff_tab.py" line="81" />
      <source>更改角色</source>
      <translation>Change role</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/staff_tab.py" line="108" />
      <source>启用</source>
      <translation>Enable</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/staff_tab.py" line="118" />
      <source>请先在“新 PIN”中输入新的 PIN。</source>
      <translation>Enter the new PIN under “New PIN” first.</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/staff_tab.py" line="122" />
      <source>已为 {0} 设置新 PIN，请当面告知本人。</source>
      <translation>New PIN set for {0}; tell them in person.</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/staff_tab.py" line="133" />
      <source>已启用 {0}。</source>
      <translation>{0} enabled.</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/staff_tab.py" line="135" />
      <source>已停用 {0}：不能再登录，已有记录保留。</source>
      <translation>{0} disabled: they can no longer sign in; their records are kept.</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/staff_tab.py" line="141" />
      <source>停用 {0}？停用后不能再登录（桌面和命令行），已有记录保留，可再启用。</source>
      <translation>Disable {0}? They can no longer sign in (desk and command line); their records are kept and they can be enabled again.</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/staff_tab.py" line="154" />
      <source>将 {0} 的角色改为{1}？</source>
      <translation>Change the role of {0} to {1}?</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/staff_tab.py" line="157" />
      <source>{0} 的角色已改为{1}。</source>
      <translation>The role of {0} is now {1}.</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/staff_tab.py" line="165" />
      <source>请确认</source>
      <translation>Please confirm</translation>
    </message>
  </context>
  <context>
    <name>SyncIndicator</name>
    <message>
      <location filename="../../gridstation/ui/sync/indicator.py" line="63" />
      <source>⟳ 正在同步…</source>
      <translation>⟳ Syncing…</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/sync/indicator.py" line="67" />
      <source>⟳ {0}{1}</source>
      <translation>⟳ {0}{1}</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/sync/indicator.py" line="73" />
      <source>○ 未连接城运中心（未登记）</source>
      <translation>○ Not connected to the centre (not enrolled)</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/sync/indicator.py" line="75" />
      <source>○ 离线</source>
      <translation>○ Offline</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/sync/indicator.py" line="77" />
      <source>⚠ 同步失败</source>
      <translation>⚠ Sync failed</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/sync/indicator.py" line="79" />
      <source>◌ 尚未连接</source>
      <translation>◌ Not connected yet</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/sync/indicator.py" line="81" />
      <source>● 在线</source>
      <translation>● Online</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/sync/indicator.py" line="83" />
      <source>　未上传 {0} 条（最早 {1}）</source>
      <translation>  {0} unsent (oldest {1})</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/sync/indicator.py" line="85" />
      <source>　无未上传</source>
      <translation>  Nothing unsent</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/sync/indicator.py" line="86" />
      <source>　上次同步：{0}</source>
      <translation>  Last sync: {0}</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/sync/indicator.py" line="86" />
      <source>从未</source>
      <translation>never</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/sync/indicator.py" line="90" />
      <source>新工单 {0}</source>
      <translation>New work orders {0}</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/sync/indicator.py" line="91" />
      <source>冲突 {0}</source>
      <translation>Conflicts {0}</translation>
    </message>
  </context>
  <context>
    <name>SyncSettingsDialog</name>
    <message>
      <location filename="../../gridstation/ui/sync/settings_dialog.py" line="158" />
      <source>同步设置</source>
      <translation>Sync settings</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/sync/settings_dialog.py" line="166" />
      <source>关闭</source>
      <translation>Close</translation>
    </message>
  </context>
  <context>
    <name>Triage</name>
    <message>
      <location filename="../../gridstation/ui/triage.py" line="41" />
      <source>计划完成</source>
      <translation>Planned by</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/triage.py" line="43" />
      <source>责任人</source>
      <translation>Owner</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/triage.py" line="55" />
      <source>Ctrl+1 {0}　Ctrl+2 {1}　Ctrl+3 {2}</source>
      <translation>Ctrl+1 {0}   Ctrl+2 {1}   Ctrl+3 {2}</translation>
    </message>
  </context>
  <context>
    <name>TrustChecks</name>
    <message>
      <location filename="../../gridstation/ui/trust.py" line="74" />
      <source>⚠ 日志在 GridStation 之外被改动过（篡改）</source>
      <translation>⚠ The logs were changed outside GridStation (tampering)</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/trust.py" line="79" />
      <source>日志校验未通过</source>
      <translation>Log check failed</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/trust.py" line="81" />
      <source>本工作站的事件日志或审计日志在 GridStation 之外被改动过（篡改）。
{0}
请不要删除本机数据，运行 gridstation audit verify 查看详情，并联系街道管理员。</source>
      <translation>The event log or the audit log of this station was changed outside GridStation (tampering).
{0}
Do not delete the data on this computer; run gridstation audit verify for details and contact the sub-district administrator.</translation>
    </message>
  </context>
  <context>
    <name>UnmaskPhoneDialog</name>
    <message>
      <location filename="../../gridstation/ui/secure_dialogs.py" line="71" />
      <source>查看完整电话：{0}</source>
      <translation>Show full phone: {0}</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/secure_dialogs.py" line="73" />
      <source>查看完整电话会记入该诉求的办理记录（谁、何时、原因），并同步到城运中心。</source>
      <translation>Showing the full phone number is recorded in the case's history (who, when, why) and synced to the city operations centre.</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/secure_dialogs.py" line="79" />
      <source>先联回电</source>
      <translation>First-contact call</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/secure_dialogs.py" line="80" />
      <source>回访</source>
      <translation>Follow-up call</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/secure_dialogs.py" line="81" />
      <source>上门核实</source>
      <translation>Home visit</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/secure_dialogs.py" line="82" />
      <source>居民要求回电</source>
      <translation>Resident asked for a call back</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/secure_dialogs.py" line="88" />
      <source>请选择或填写原因</source>
      <translation>Choose or type a reason</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/secure_dialogs.py" line="90" />
      <source>原因</source>
      <translation>Reason</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/secure_dialogs.py" line="92" />
      <source>查看</source>
      <translation>Show</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/secure_dialogs.py" line="92" />
      <source>取消</source>
      <translation>Cancel</translation>
    </message>
  </context>
  <context>
    <name>WordIndexer</name>
    <message>
      <location filename="../../gridstation/ui/word_index.py" line="36" />
      <source>正在建立相似诉求索引：{0} / {1} 件</source>
      <translation>Building the similar-case index: {0} / {1} cases</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/word_index.py" line="40" />
      <source>相似诉求索引已建好（{0} 件）。</source>
      <translation>Similar-case index ready ({0} cases).</translation>
    </message>
  </context>
  <context>
    <name>WorkOrderNotice</name>
    <message>
      <location filename="../../gridstation/ui/sync/work_orders.py" line="45" />
      <source>新工单</source>
      <translation>New work orders</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/sync/work_orders.py" line="50" />
      <source>工单编号</source>
      <translation>Ticket</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/sync/work_orders.py" line="51" />
      <source>来源</source>
      <translation>Source</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/sync/work_orders.py" line="52" />
      <source>分类</source>
      <translation>Category</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/sync/work_orders.py" line="53" />
      <source>地址</source>
      <translation>Address</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/sync/work_orders.py" line="54" />
      <source>内容</source>
      <translation>Content</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/sync/work_orders.py" line="55" />
      <source>时限</source>
      <translation>Due</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/sync/work_orders.py" line="66" />
      <source>【紧急】</source>
      <translation>[URGENT] </translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/sync/work_orders.py" line="77" />
      <source>打开诉求(&amp;O)</source>
      <translation>&amp;Open Case</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/sync/work_orders.py" line="79" />
      <source>知道了(&amp;A)</source>
      <translation>&amp;Acknowledge</translation>
    </message>
  </context>
  <context>
    <name>WorkloadDialog</name>
    <message>
      <location filename="../../gridstation/ui/workload.py" line="30" />
      <source>工作量：各责任人的在办诉求</source>
      <translation>Workload: each owner's open cases</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/workload.py" line="33" />
      <source>正在统计…</source>
      <translation>Counting…</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/workload.py" line="36" />
      <source>责任人</source>
      <translation>Owner</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/workload.py" line="36" />
      <source>在办</source>
      <translation>Open</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/workload.py" line="43" />
      <source>关闭</source>
      <translation>Close</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/workload.py" line="47" />
      <source>双击或按回车：在列表中查看此人的在办诉求</source>
      <translation>Double-click or Enter: show this person's open cases in the list</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/workload.py" line="57" />
      <source>（未指定）</source>
      <translation>(not set)</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/workload.py" line="66" />
      <source>在办 {0} 件，其中超期 {1} 件；按超期件数排列。</source>
      <translation>{0} open, {1} of them overdue; most overdue first.</translation>
    </message>
  </context>
  <context>
    <name>errors</name>
    <message>
      <location filename="../../gridstation/ui/messages.py" line="20" />
      <source>发生意外错误，操作未完成。已保存的数据未受影响。</source>
      <translation>An unexpected error stopped the operation. Saved data is unchanged.</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/messages.py" line="26" />
      <source>无法完成</source>
      <translation>Could not finish</translation>
    </message>
    <message>
      <source>今日编号已用尽，请联系管理员。</source>
      <translation>Today's case numbers are used up; please contact the administrator.</translation>
    </message>
    <message>
      <source>双回访须先记录部门反馈回访，再记录工作站回访。</source>
      <translation>Record the department's feedback visit before the station's own revisit.</translation>
    </message>
    <message>
      <source>备份文件校验失败（数据库损坏）。</source>
      <translation>The backup file failed its check (the database is damaged).</translation>
    </message>
    <message>
      <source>姓名或 PIN 不正确。</source>
      <translation>Wrong name or PIN.</translation>
    </message>
    <message>
      <source>工作站尚未初始化。</source>
      <translation>The station has not been set up yet.</translation>
    </message>
    <message>
      <source>工作站编码须为 2–8 位大写字母或数字（如 JA01）。</source>
      <translation>The station code must be 2–8 capital letters or digits (e.g. JA01).</translation>
    </message>
    <message>
      <source>找不到该诉求。</source>
      <translation>Case not found.</translation>
    </message>
    <message>
      <source>数据库操作失败，未能保存。已保存的数据未受影响。</source>
      <translation>The database operation failed; nothing was saved. Saved data is unchanged.</translation>
    </message>
    <message>
      <source>数据库文件只读，无法保存。请检查文件权限或数据目录。已保存的数据未受影响。</source>
      <translation>The database file is read-only; nothing was saved. Check the file permissions or data folder. Saved data is unchanged.</translation>
    </message>
    <message>
      <source>数据库文件已损坏或不是 GridStation 数据库。请从备份恢复，或联系管理员。</source>
      <translation>The database file is damaged or not a GridStation database. Restore from a backup or contact the administrator.</translation>
    </message>
    <message>
      <source>数据库正被其他程序占用，请稍后重试。已保存的数据未受影响。</source>
      <translation>The database is busy in another program; please try again shortly. Saved data is unchanged.</translation>
    </message>
    <message>
      <source>无法打开数据库文件，请检查数据目录是否存在且可写。</source>
      <translation>Cannot open the database file; check that the data folder exists and is writable.</translation>
    </message>
    <message>
      <source>更正后的内容与原内容相同。</source>
      <translation>The correction is the same as the original.</translation>
    </message>
    <message>
      <source>本工作站已初始化。</source>
      <translation>This station is already set up.</translation>
    </message>
    <message>
      <source>电话号码格式不正确：请输入11位手机号（如 13800138000）或带区号的固定电话（如 021-64321234）。</source>
      <translation>The phone number is not valid: enter an 11-digit mobile (e.g. 13800138000) or a landline with area code (e.g. 021-64321234).</translation>
    </message>
    <message>
      <source>磁盘空间不足或写入失败，未能保存。请清理磁盘后重试。已保存的数据未受影响。</source>
      <translation>The disk is full or a write failed; nothing was saved. Free some space and try again. Saved data is unchanged.</translation>
    </message>
    <message>
      <source>该诉求已登记。</source>
      <translation>This case is already registered.</translation>
    </message>
    <message>
      <source>该项不能更正。</source>
      <translation>This field cannot be corrected.</translation>
    </message>
    <message>
      <source>请填写联系电话。</source>
      <translation>Please enter a contact phone.</translation>
    </message>
    <message>
      <source>请填写诉求内容，不能为空或只有空格。</source>
      <translation>Please describe the complaint; it cannot be empty or only spaces.</translation>
    </message>
    <message>
      <source>请选择处置分类。</source>
      <translation>Please choose a tier.</translation>
    </message>
    <message>
      <source>请选择处置结果。</source>
      <translation>Please choose an outcome.</translation>
    </message>
    <message>
      <source>请选择是否解决和满意度。</source>
      <translation>Please choose whether it was resolved and the satisfaction.</translation>
    </message>
    <message>
      <source>请选择诉求分类。</source>
      <translation>Please choose a category.</translation>
    </message>
    <message>
      <source>请填写“是”或“否”。</source>
      <translation>Please enter yes or no.</translation>
    </message>
    <message>
      <source>回访日期不能早于办结日期。</source>
      <translation>The visit date cannot be before the case was closed.</translation>
    </message>
    <message>
      <source>回访日期不能晚于今天。</source>
      <translation>The visit date cannot be later than today.</translation>
    </message>
    <message>
      <source>尚未设置 ESC/POS 热敏打印机（在桌面“打印设置”中设置）。</source>
      <translation>No ESC/POS receipt printer is set up (set it in Print settings on the desk).</translation>
    </message>
    <message>
      <source>打印机「{printer}」未能完成打印：{detail}。可以点“重试”或另存为 PDF。</source>
      <translation>Printer "{printer}" could not finish printing: {detail}. Retry, or save as PDF.</translation>
    </message>
    <message>
      <source>打印机「{printer}」未连接或未开机。请检查电源和连线后点“重试”。</source>
      <translation>Printer "{printer}" is not connected or switched off. Check its power and cable, then Retry.</translation>
    </message>
    <message>
      <source>打印机「{printer}」的纸仓盖未合上。请合上后点“重试”。</source>
      <translation>The paper cover of printer "{printer}" is open. Close it, then Retry.</translation>
    </message>
    <message>
      <source>打印机「{printer}」缺纸。请装入纸卷后点“重试”。</source>
      <translation>Printer "{printer}" is out of paper. Load a new roll, then Retry.</translation>
    </message>
    <message>
      <source>服务器地址须以 http:// 或 https:// 开头。</source>
      <translation>The server address must start with http:// or https://.</translation>
    </message>
    <message>
      <source>本机没有安装打印机。请安装打印机，或将文档另存为 PDF。</source>
      <translation>No printer is installed on this computer. Install one, or save the document as PDF.</translation>
    </message>
    <message>
      <source>热敏打印机只能打印 80 或 58 毫米回执。</source>
      <translation>A receipt printer can only print 80 mm or 58 mm receipts.</translation>
    </message>
    <message>
      <source>端口须在 1 至 65535 之间。</source>
      <translation>The port must be between 1 and 65535.</translation>
    </message>
    <message>
      <source>统计天数须在 1 至 366 之间。</source>
      <translation>The number of days must be between 1 and 366.</translation>
    </message>
    <message>
      <source>请填写 USB 厂商号和产品号（十六进制，如 0416）。</source>
      <translation>Enter the USB vendor and product IDs (hexadecimal, e.g. 0416).</translation>
    </message>
    <message>
      <source>请填写串口设备（如 COM3 或 /dev/ttyUSB0）。</source>
      <translation>Enter the serial device (e.g. COM3 or /dev/ttyUSB0).</translation>
    </message>
    <message>
      <source>请填写回访表上的日期（如 2026-11-23）。</source>
      <translation>Enter the date written on the form (e.g. 2026-11-23).</translation>
    </message>
    <message>
      <source>请填写热敏打印机的 IP 地址。</source>
      <translation>Enter the receipt printer's IP address.</translation>
    </message>
    <message>
      <source>请用 -o 指定 PDF 文件名，或用 --escpos 直接打印。</source>
      <translation>Give a PDF file name with -o, or print directly with --escpos.</translation>
    </message>
    <message>
      <source>请选择回执纸张。</source>
      <translation>Choose the receipt paper.</translation>
    </message>
    <message>
      <source>请选择回访方式。</source>
      <translation>Choose how the visit was made.</translation>
    </message>
    <message>
      <source>请选择打印方式。</source>
      <translation>Choose how receipts print.</translation>
    </message>
    <message>
      <source>请选择热敏打印机的连接方式。</source>
      <translation>Choose how the receipt printer is connected.</translation>
    </message>
    <message>
      <source>找不到打印机「{printer}」{detail}。请检查打印机名称和连接，或在打印设置中另选打印机。</source>
      <translation>Printer "{printer}" was not found{detail}. Check its name and connection, or choose another printer in Print settings.</translation>
    </message>
    <message>
      <source>HTTPS 需要同时提供 --ssl-certfile 和 --ssl-keyfile。</source>
      <translation>HTTPS needs both --ssl-certfile and --ssl-keyfile.</translation>
    </message>
    <message>
      <source>PostgreSQL 请使用 postgresql+psycopg://… 地址（psycopg 3 驱动）。</source>
      <translation>For PostgreSQL use a postgresql+psycopg://… address (psycopg 3 driver).</translation>
    </message>
    <message>
      <source>SQLite 数据库地址须带文件路径，如 sqlite:///server.db</source>
      <translation>A SQLite address needs a file path, e.g. sqlite:///server.db</translation>
    </message>
    <message>
      <source>二维码里不是工作站登记码。</source>
      <translation>The QR code does not hold a station enrolment code.</translation>
    </message>
    <message>
      <source>二维码里没有登记码。</source>
      <translation>The QR code holds no enrolment code.</translation>
    </message>
    <message>
      <source>图片中没有找到二维码，请换一张清晰的图片。</source>
      <translation>No QR code found in the image; please use a clearer picture.</translation>
    </message>
    <message>
      <source>找不到该冲突记录。</source>
      <translation>Conflict record not found.</translation>
    </message>
    <message>
      <source>服务器反复要求重新下载，已停止。请联系街道管理员。</source>
      <translation>The server keeps asking for a full re-download; stopped. Please contact the sub-district administrator.</translation>
    </message>
    <message>
      <source>服务器地址不应包含 ? 或 # 之后的内容。</source>
      <translation>The server address must not contain anything after ? or #.</translation>
    </message>
    <message>
      <source>本工作站尚未登记到城运中心服务器，请在“同步设置”中登记。</source>
      <translation>This station is not enrolled with the centre's server yet; enrol it under Sync settings.</translation>
    </message>
    <message>
      <source>该冲突已处理过。</source>
      <translation>This conflict has already been resolved.</translation>
    </message>
    <message>
      <source>请填写城运中心服务器地址。</source>
      <translation>Please enter the centre's server address.</translation>
    </message>
    <message>
      <source>请填写工作站名称。</source>
      <translation>Please enter the station's name.</translation>
    </message>
    <message>
      <source>请填写部门名称。</source>
      <translation>Please enter the department's name.</translation>
    </message>
    <message>
      <source>请输入街道管理员给出的一次性登记码。</source>
      <translation>Please enter the one-time enrolment code from the sub-district administrator.</translation>
    </message>
    <message>
      <source>部门代码须为 1–20 位字母或数字。</source>
      <translation>A department code is 1–20 letters or digits.</translation>
    </message>
    <message>
      <source>两次输入的备份口令不一致，未做任何更改。</source>
      <translation>The two passphrases differ; nothing was changed.</translation>
    </message>
    <message>
      <source>备份口令不正确，未做任何更改。</source>
      <translation>Wrong backup passphrase; nothing was changed.</translation>
    </message>
    <message>
      <source>备份口令至少需要 8 个字符（可用一句好记的话）。</source>
      <translation>The backup passphrase needs at least 8 characters (a memorable sentence works well).</translation>
    </message>
    <message>
      <source>备份口令过长。</source>
      <translation>The backup passphrase is too long.</translation>
    </message>
    <message>
      <source>备份文件已损坏或不完整（可能被截断或改动过），无法恢复，未做任何更改。</source>
      <translation>The backup file is damaged or incomplete (cut short or altered) and cannot be restored; nothing was changed.</translation>
    </message>
    <message>
      <source>当前 PIN 不正确。</source>
      <translation>The current PIN is wrong.</translation>
    </message>
    <message>
      <source>找不到该工作人员。</source>
      <translation>No such member of staff.</translation>
    </message>
    <message>
      <source>按电话号码查找诉求须先登录（命令行请用 --user 和 --pin 指定操作人）。</source>
      <translation>Searching cases by phone number requires signing in (on the command line give --user and --pin).</translation>
    </message>
    <message>
      <source>该备份文件由更新版本的 GridStation 生成，请先升级本机程序。</source>
      <translation>This backup was made by a newer version of GridStation; update this program first.</translation>
    </message>
    <message>
      <source>请输入备份口令。</source>
      <translation>Enter the backup passphrase.</translation>
    </message>
    <message>
      <source>连续输错次数过多，请稍后再试。</source>
      <translation>Too many wrong attempts; please try again later.</translation>
    </message>
    <message>
      <source>两次输入的 PIN 不一致，未做任何更改。</source>
      <translation>The two PINs differ; nothing was changed.</translation>
    </message>
    <message>
      <source>停用工作人员：不能再登录，记录保留（需管理员）</source>
      <translation>Disable a member of staff: they can no longer sign in, their records are kept (administrator)</translation>
    </message>
    <message>
      <source>请用 --new-pin 给出新 PIN，或从标准输入提供（一行）。</source>
      <translation>Give the new PIN with --new-pin or on standard input (one line).</translation>
    </message>
    <message>
      <source>重新启用已停用的工作人员（需管理员）</source>
      <translation>Enable a disabled member of staff again (administrator)</translation>
    </message>
    <message>
      <source>诉求内容只有表情、标点或符号：请用文字写明居民反映的问题。</source>
      <translation>The complaint has only emoji, punctuation or symbols: describe the resident's problem in words.</translation>
    </message>
    <message>
      <source>只能添加 JPEG、PNG 或 WebP 格式的图片。</source>
      <translation>Only JPEG, PNG or WebP images can be added.</translation>
    </message>
    <message>
      <source>照片校验值须为 64 位小写十六进制 SHA-256。</source>
      <translation>A photo's checksum must be a SHA-256 of 64 lowercase hexadecimal digits.</translation>
    </message>
    <message>
      <source>两次输入的密码不一致，账号未改动。</source>
      <translation>The two passwords differ; the account was not changed.</translation>
    </message>
    <message>
      <source>办理时限须晚于当前时间。</source>
      <translation>The deadline must be later than now.</translation>
    </message>
    <message>
      <source>协办部门有重复。</source>
      <translation>A co-operating department is listed twice.</translation>
    </message>
    <message>
      <source>完成时限的格式有误（如 2026-11-23T17:00:00+08:00）。</source>
      <translation>The due time is malformed (e.g. 2026-11-23T17:00:00+08:00).</translation>
    </message>
    <message>
      <source>没有终端可输入密码；请用 --password-stdin 从标准输入提供密码。</source>
      <translation>No terminal to type the password in; give it on standard input with --password-stdin.</translation>
    </message>
    <message>
      <source>派单须有且只有一个牵头部门。</source>
      <translation>A dispatch needs exactly one lead department.</translation>
    </message>
    <message>
      <source>网格长不能指定部门。</source>
      <translation>A grid lead cannot have a department.</translation>
    </message>
    <message>
      <source>网格长须用 --grid 指定至少一个网格。</source>
      <translation>A grid lead needs at least one grid (--grid).</translation>
    </message>
    <message>
      <source>请填写参会单位。</source>
      <translation>Please enter who attended.</translation>
    </message>
    <message>
      <source>请选择反馈类型（接单、退单、进展、到场或办理结果）。</source>
      <translation>Please choose the kind of answer (accept, reject, progress, on site or result).</translation>
    </message>
    <message>
      <source>请选择牵头部门。</source>
      <translation>Please choose the lead department.</translation>
    </message>
    <message>
      <source>部门用户不能指定网格。</source>
      <translation>A department user cannot have grids.</translation>
    </message>
    <message>
      <source>部门用户须用 --department 指定所属部门。</source>
      <translation>A department user needs its department (--department).</translation>
    </message>
    <message>
      <source>完成时限须带时区（如 2026-12-10T17:00:00+08:00）。</source>
      <translation>The due time needs a time zone (e.g. 2026-12-10T17:00:00+08:00).</translation>
    </message>
    <message>
      <source>请填写完成时限（如 2026-12-10T17:00:00+08:00）。</source>
      <translation>Enter the due time (e.g. 2026-12-10T17:00:00+08:00).</translation>
    </message>
    <message>
      <source>计划完成日期的格式有误（如 2026-12-10）。</source>
      <translation>The planned completion date is not a date (e.g. 2026-12-10).</translation>
    </message>
    <message>
      <source>跟踪督办须填写计划完成日期。</source>
      <translation>A tracked case needs a planned completion date.</translation>
    </message>
    <message>
      <source>截止日期早于起始日期。</source>
      <translation>The end date is before the start date.</translation>
    </message>
    <message>
      <source>请至少给出 --text、--address 或 --phone 之一。</source>
      <translation>Give at least one of --text, --address or --phone.</translation>
    </message>
    <message>
      <source>--dry-run 只能用于导入历史台账（gridstation import cases）。</source>
      <translation>--dry-run is only for importing a historic ledger (gridstation import cases).</translation>
    </message>
    <message>
      <source>找不到该知识库条目（可能已被城运中心停用）。</source>
      <translation>Article not found (the centre may have retired it).</translation>
    </message>
    <message>
      <source>服务器反复要求重新下载知识库，已停止。请联系街道管理员。</source>
      <translation>The server keeps asking to download the knowledge base again; stopped. Please contact the sub-district administrator.</translation>
    </message>
    <message>
      <source>请填写不采纳的原因，工作站会看到它。</source>
      <translation>Please give the reason for not accepting it; the station will see it.</translation>
    </message>
    <message>
      <source>请填写标题。</source>
      <translation>Please enter a title.</translation>
    </message>
    <message>
      <source>请填写正文。</source>
      <translation>Please enter the text.</translation>
    </message>
    <message>
      <source>--keep 至少为 1。</source>
      <translation>--keep must be at least 1.</translation>
    </message>
    <message>
      <source>SQLite 数据库地址须带文件路径。</source>
      <translation>An SQLite database URL must include the file path.</translation>
    </message>
    <message>
      <source>目标服务器已有数据（工作站、诉求或照片）。恢复会替换全部数据：确认无误请加 --force（替换前会先把现有数据另行备份）。</source>
      <translation>The target server already holds data (stations, cases or photos). A restore replaces all of it: add --force if you are sure (the existing data is backed up first).</translation>
    </message>
  </context>
  <context>
    <name>labels</name>
    <message>
      <source>来访</source>
      <translation>Walk-in</translation>
    </message>
    <message>
      <source>12345热线</source>
      <translation>12345 hotline</translation>
    </message>
    <message>
      <source>码上就来</source>
      <translation>QR report</translation>
    </message>
    <message>
      <source>信访派单</source>
      <translation>Petition dispatch</translation>
    </message>
    <message>
      <source>网格巡查</source>
      <translation>Grid patrol</translation>
    </message>
    <message>
      <source>当场办</source>
      <translation>On the spot</translation>
    </message>
    <message>
      <source>协同快办</source>
      <translation>Quick coordinated</translation>
    </message>
    <message>
      <source>跟踪督办</source>
      <translation>Tracked</translation>
    </message>
    <message>
      <source>已登记</source>
      <translation>Registered</translation>
    </message>
    <message>
      <source>已先联</source>
      <translation>Contacted</translation>
    </message>
    <message>
      <source>已派单</source>
      <translation>Dispatched</translation>
    </message>
    <message>
      <source>已到场</source>
      <translation>On site</translation>
    </message>
    <message>
      <source>已处置</source>
      <translation>Disposed</translation>
    </message>
    <message>
      <source>已办结</source>
      <translation>Closed</translation>
    </message>
    <message>
      <source>已回访</source>
      <translation>Followed up</translation>
    </message>
    <message>
      <source>已重启</source>
      <translation>Reopened</translation>
    </message>
    <message>
      <source>登记</source>
      <translation>Register</translation>
    </message>
    <message>
      <source>先联</source>
      <translation>First contact</translation>
    </message>
    <message>
      <source>派单</source>
      <translation>Dispatch</translation>
    </message>
    <message>
      <source>到场</source>
      <translation>On site</translation>
    </message>
    <message>
      <source>处置</source>
      <translation>Dispose</translation>
    </message>
    <message>
      <source>办结</source>
      <translation>Close</translation>
    </message>
    <message>
      <source>回访</source>
      <translation>Follow-up</translation>
    </message>
    <message>
      <source>调整分类</source>
      <translation>Change tier</translation>
    </message>
    <message>
      <source>更正登记信息</source>
      <translation>Correct intake</translation>
    </message>
    <message>
      <source>备注</source>
      <translation>Note</translation>
    </message>
    <message>
      <source>部门反馈回访</source>
      <translation>Department feedback visit</translation>
    </message>
    <message>
      <source>工作站回访</source>
      <translation>Station revisit</translation>
    </message>
    <message>
      <source>满意</source>
      <translation>Satisfied</translation>
    </message>
    <message>
      <source>基本满意</source>
      <translation>Basically satisfied</translation>
    </message>
    <message>
      <source>不满意</source>
      <translation>Unsatisfied</translation>
    </message>
    <message>
      <source>已解决</source>
      <translation>Resolved</translation>
    </message>
    <message>
      <source>部分解决</source>
      <translation>Partly resolved</translation>
    </message>
    <message>
      <source>未解决</source>
      <translation>Unresolved</translation>
    </message>
    <message>
      <source>已拿出方案</source>
      <translation>Plan made</translation>
    </message>
    <message>
      <source>接待员</source>
      <translation>Clerk</translation>
    </message>
    <message>
      <source>网格长</source>
      <translation>Grid chief</translation>
    </message>
    <message>
      <source>管理员</source>
      <translation>Administrator</translation>
    </message>
    <message>
      <source>响应</source>
      <translation>Response</translation>
    </message>
    <message>
      <source>闭环</source>
      <translation>Loop closed</translation>
    </message>
    <message>
      <source>无时限</source>
      <translation>No deadline</translation>
    </message>
    <message>
      <source>绿</source>
      <translation>Green</translation>
    </message>
    <message>
      <source>蓝</source>
      <translation>Blue</translation>
    </message>
    <message>
      <source>黄</source>
      <translation>Yellow</translation>
    </message>
    <message>
      <source>橙</source>
      <translation>Orange</translation>
    </message>
    <message>
      <source>红</source>
      <translation>Red</translation>
    </message>
    <message>
      <source>网格员</source>
      <translation>Grid worker</translation>
    </message>
    <message>
      <source>物业服务中心</source>
      <translation>Property management</translation>
    </message>
    <message>
      <source>城管中队</source>
      <translation>City management squad</translation>
    </message>
    <message>
      <source>绿化市容所</source>
      <translation>Greening and city appearance office</translation>
    </message>
    <message>
      <source>房管办</source>
      <translation>Housing office</translation>
    </message>
    <message>
      <source>派出所</source>
      <translation>Police station</translation>
    </message>
    <message>
      <source>市场监管所</source>
      <translation>Market supervision office</translation>
    </message>
    <message>
      <source>居委会</source>
      <translation>Residents' committee</translation>
    </message>
    <message>
      <source>打印回执</source>
      <translation>Receipt printed</translation>
    </message>
    <message>
      <source>难题会诊</source>
      <translation>Hard-case conference</translation>
    </message>
    <message>
      <source>电话回访</source>
      <translation>Phone visit</translation>
    </message>
    <message>
      <source>上门回访</source>
      <translation>Home visit</translation>
    </message>
    <message>
      <source>纸质回访表</source>
      <translation>Paper follow-up form</translation>
    </message>
    <message>
      <source>80 毫米热敏纸</source>
      <translation>80 mm thermal roll</translation>
    </message>
    <message>
      <source>58 毫米热敏纸</source>
      <translation>58 mm thermal roll</translation>
    </message>
    <message>
      <source>A5 纸</source>
      <translation>A5 sheet</translation>
    </message>
    <message>
      <source>A4 纸</source>
      <translation>A4 sheet</translation>
    </message>
    <message>
      <source>保存后直接打印</source>
      <translation>Print at once</translation>
    </message>
    <message>
      <source>先预览再打印</source>
      <translation>Preview first</translation>
    </message>
    <message>
      <source>不使用</source>
      <translation>None</translation>
    </message>
    <message>
      <source>网络（TCP 9100）</source>
      <translation>Network (TCP 9100)</translation>
    </message>
    <message>
      <source>串口</source>
      <translation>Serial port</translation>
    </message>
    <message>
      <source>USB 连接</source>
      <translation>USB</translation>
    </message>
    <message>
      <source>分类</source>
      <translation>Category</translation>
    </message>
    <message>
      <source>小区</source>
      <translation>Compound</translation>
    </message>
    <message>
      <source>楼栋</source>
      <translation>Building</translation>
    </message>
    <message>
      <source>地址</source>
      <translation>Address</translation>
    </message>
    <message>
      <source>网格</source>
      <translation>Grid</translation>
    </message>
    <message>
      <source>姓名</source>
      <translation>Name</translation>
    </message>
    <message>
      <source>电话</source>
      <translation>Phone</translation>
    </message>
    <message>
      <source>匿名</source>
      <translation>Anonymous</translation>
    </message>
    <message>
      <source>诉求内容</source>
      <translation>Complaint</translation>
    </message>
    <message>
      <source>处置分类</source>
      <translation>Handling tier</translation>
    </message>
    <message>
      <source>连接服务器</source>
      <translation>Connecting to the server</translation>
    </message>
    <message>
      <source>上传本站事件</source>
      <translation>Uploading this station's events</translation>
    </message>
    <message>
      <source>下载城运中心更新</source>
      <translation>Downloading the centre's updates</translation>
    </message>
    <message>
      <source>核对今日回执</source>
      <translation>Checking today's receipt</translation>
    </message>
    <message>
      <source>更新冲突记录</source>
      <translation>Updating conflict records</translation>
    </message>
    <message>
      <source>完成</source>
      <translation>Done</translation>
    </message>
    <message>
      <source>同步未完成：{0}</source>
      <translation>Sync not finished: {0}</translation>
    </message>
    <message>
      <source>同步已完成，但有需要处理的事项（见下）。</source>
      <translation>Sync finished, but some things need attention (see below).</translation>
    </message>
    <message>
      <source>同步完成，数据一致。</source>
      <translation>Sync finished; both sides agree.</translation>
    </message>
    <message>
      <source>查看完整电话</source>
      <translation>Full phone shown</translation>
    </message>
    <message>
      <source>来电</source>
      <translation>Phone call</translation>
    </message>
    <message>
      <source>添加照片</source>
      <translation>Add photo</translation>
    </message>
    <message>
      <source>上传照片</source>
      <translation>Upload photos</translation>
    </message>
    <message>
      <source>撤回派单</source>
      <translation>Dispatch withdrawn</translation>
    </message>
    <message>
      <source>部门反馈</source>
      <translation>Department answer</translation>
    </message>
    <message>
      <source>网格长牵头</source>
      <translation>Grid lead takes the lead</translation>
    </message>
    <message>
      <source>联勤联动</source>
      <translation>Joint meeting</translation>
    </message>
    <message>
      <source>下载照片</source>
      <translation>Downloading photos</translation>
    </message>
    <message>
      <source>回访未联系上</source>
      <translation>Follow-up: resident not reached</translation>
    </message>
    <message>
      <source>工单时限</source>
      <translation>Work order due</translation>
    </message>
    <message>
      <source>督办</source>
      <translation>Supervision</translation>
    </message>
    <message>
      <source>移交责任人</source>
      <translation>Hand over</translation>
    </message>
    <message>
      <source>难题会诊决定</source>
      <translation>Conference decision</translation>
    </message>
    <message>
      <source>追加诉求</source>
      <translation>Added report</translation>
    </message>
    <message>
      <source>内容相似</source>
      <translation>Similar text</translation>
    </message>
    <message>
      <source>同一地址</source>
      <translation>Same address</translation>
    </message>
    <message>
      <source>同一电话</source>
      <translation>Same phone</translation>
    </message>
    <message>
      <source>疑似重复（未办结）</source>
      <translation>Likely duplicate (open)</translation>
    </message>
    <message>
      <source>复发（办结后再次反映）</source>
      <translation>Repeat after closure</translation>
    </message>
    <message>
      <source>报送经验沉淀</source>
      <translation>Sending proposals</translation>
    </message>
    <message>
      <source>更新知识库</source>
      <translation>Updating the knowledge base</translation>
    </message>
    <message>
      <source>待审核</source>
      <translation>Awaiting review</translation>
    </message>
    <message>
      <source>已采纳</source>
      <translation>Approved</translation>
    </message>
    <message>
      <source>未采纳</source>
      <translation>Not approved</translation>
    </message>
  </context>
  <context>
    <name>sync</name>
    <message>
      <location filename="../../gridstation/ui/sync/indicator.py" line="23" />
      <source>刚刚</source>
      <translation>just now</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/sync/indicator.py" line="25" />
      <source>{0} 分钟前</source>
      <translation>{0} min ago</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/sync/indicator.py" line="27" />
      <source>{0} 小时前</source>
      <translation>{0} h ago</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/sync/indicator.py" line="28" />
      <source>{0} 天前</source>
      <translation>{0} days ago</translation>
    </message>
    <message>
      <location filename="../../gridstation/ui/sync/conflicts.py" line="132" />
      <source>（空）</source>
      <translation>(empty)</translation>
    </message>
  </context>
</TS>