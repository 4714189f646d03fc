"""知识库 at the desk (issue 17): search the centre's articles offline and read one, see where the station's own
proposals stand, and propose an article from a closed case (经验沉淀).

F1 in the intake form opens the dialog with the complaint typed so far and its category, and searches at once; 帮助 →
知识库 opens it anywhere. Searching runs on the thread pool (the first search loads the word dictionary), as does
saving a proposal; only the newest search's answer is shown.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QSplitter,
    QTabWidget,
    QTextBrowser,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from gridstation.domain.case import CaseState
from gridstation.domain.knowledge import (
    PROPOSAL_STATUS_LABELS,
    Article,
    KnowledgeMatch,
    ProposalStatus,
    split_list,
)
from gridstation.services.knowledge import ProposalView
from gridstation.services.staff import StaffMember
from gridstation.services.station import StationService
from gridstation.ui.dialogs import WritingDialog, accept_cancel_buttons, close_buttons, error_label
from gridstation.ui.labels import tr_label
from gridstation.ui.messages import error_text
from gridstation.ui.workers import run_in_background

SEARCH_DELAY_MS = 300
RESULT_LIMIT = 20
ARTICLE_ID = Qt.ItemDataRole.UserRole


class KnowledgeDialog(QDialog):
    """Search field, the articles found (best first), and the one chosen, read-only; a tab of our proposals."""

    def __init__(
        self,
        service: StationService,
        parent: QWidget | None = None,
        *,
        text: str = "",
        category_code: str = "",
    ) -> None:
        super().__init__(parent)
        self.setObjectName("knowledgeDialog")
        self._service = service
        self._category_code = category_code.strip()
        self._generation = 0  # the newest search: an older one's answer arriving late is dropped
        self._articles: dict[str, Article] = {}
        self.searching = False
        self.setWindowTitle(self.tr("知识库"))
        self.resize(980, 620)

        self.search = QLineEdit(" ".join(text.split()))
        self.search.setObjectName("knowledgeSearch")
        self.search.setPlaceholderText(self.tr("输入居民反映的问题或关键词，如“楼道堆满纸箱”“电瓶车飞线充电”"))
        self.search.setClearButtonEnabled(True)
        self._category_names = service.category_names()
        name = self._category_names.get(self._category_code, self._category_code)
        self.by_category = QCheckBox(self.tr("“{0}”分类优先").format(name))
        self.by_category.setChecked(bool(self._category_code))
        self.by_category.setVisible(bool(self._category_code))
        self.status = QLabel()
        self.status.setObjectName("knowledgeStatus")
        self.status.setStyleSheet("color: #555;")

        self.results = QListWidget()
        self.results.setObjectName("knowledgeResults")
        self.results.setWordWrap(True)
        self.results.setMinimumWidth(260)
        self.results.setSpacing(3)
        self.results.setAlternatingRowColors(True)
        self.view = QTextBrowser()
        self.view.setObjectName("knowledgeArticle")
        self.view.setOpenLinks(False)  # an article's links go nowhere: the desk is offline
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.results)
        splitter.addWidget(self.view)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([300, 680])

        search_row = QHBoxLayout()
        search_row.addWidget(QLabel(self.tr("检索")))
        search_row.addWidget(self.search, 1)
        search_row.addWidget(self.by_category)
        search_page = QWidget()
        search_layout = QVBoxLayout(search_page)
        search_layout.addLayout(search_row)
        search_layout.addWidget(self.status)
        search_layout.addWidget(splitter, 1)

        self.proposals = QTreeWidget()
        self.proposals.setObjectName("knowledgeProposals")
        self.proposals.setRootIsDecorated(False)
        self.proposals.setHeaderLabels([self.tr("提出时间"), self.tr("诉求编号"), self.tr("标题"), self.tr("状态")])
        self.proposals.setColumnWidth(0, 130)
        self.proposals.setColumnWidth(1, 190)
        self.proposals.setColumnWidth(2, 300)
        self.tabs = QTabWidget()
        self.tabs.addTab(search_page, self.tr("检索"))
        self.tabs.addTab(self.proposals, self.tr("本站经验沉淀"))
        self.tabs.currentChanged.connect(self._on_tab)
        close = close_buttons(self, self.tr("关闭"))
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(close)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DELAY_MS)
        self._timer.timeout.connect(self.search_now)
        self.search.textChanged.connect(lambda _text: self._timer.start())
        self.search.returnPressed.connect(self.search_now)
        self.by_category.toggled.connect(lambda _on: self.search_now())
        self.results.currentItemChanged.connect(self._on_current)
        self.search.setFocus()
        self.search_now()

    # --- searching -----------------------------------------------------------------------------------------

    def search_now(self) -> None:
        """Search for what is typed (and the category, if ticked), off the screen's thread."""
        self._timer.stop()
        self._generation += 1
        generation = self._generation
        text = self.search.text().strip()
        code = self._category_code if self.by_category.isChecked() else ""
        service = self._service
        self.searching = True
        self.status.setText(self.tr("正在检索…"))

        def work() -> list[KnowledgeMatch] | list[Article]:
            if text or code:
                return service.knowledge_matches(text, code, limit=RESULT_LIMIT)
            return service.knowledge_articles()

        run_in_background(
            work,
            lambda found: self._found(generation, found, bool(text or code)),
            lambda error: self._failed(generation, error),
            owner=self,
        )

    def _found(self, generation: int, found: object, searched: bool) -> None:
        if generation != self._generation:
            return
        self.searching = False
        assert isinstance(found, list)
        self.results.clear()
        self._articles.clear()
        for item in found:
            match = item if isinstance(item, KnowledgeMatch) else None
            article = match.article if match else item
            assert isinstance(article, Article)
            self._articles[article.id] = article
            line = QListWidgetItem(self._result_text(article, match))
            line.setData(ARTICLE_ID, article.id)
            line.setToolTip(article.title)
            self.results.addItem(line)
        if found:
            heard = self.tr("找到 {0} 篇相关条目") if searched else self.tr("共 {0} 篇条目")
            self.status.setText(heard.format(len(found)))
            self.results.setCurrentRow(0)
        else:
            self.view.clear()
            self.status.setText(self._nothing_text(searched))

    def _failed(self, generation: int, error: BaseException) -> None:
        if generation != self._generation:
            return
        self.searching = False
        self.status.setText(self.tr("检索失败：{0}").format(error_text(error)))

    def _nothing_text(self, searched: bool) -> str:
        if searched:
            return self.tr("没有找到相关条目，可换个说法或少输几个字。")
        return self.tr("本站还没有知识库条目：城运中心发布后，同步时会自动下载。")

    def _result_text(self, article: Article, match: KnowledgeMatch | None) -> str:
        if match is None or not match.matched_words:
            return article.title
        return self.tr("{0}\n相关：{1}").format(article.title, "、".join(match.matched_words[:5]))

    def _on_current(self, current: QListWidgetItem | None, _previous: QListWidgetItem | None) -> None:
        article = self._articles.get(str(current.data(ARTICLE_ID))) if current is not None else None
        if article is None:
            self.view.clear()
            return
        self.view.setMarkdown(self.article_markdown(article))

    def article_markdown(self, article: Article) -> str:
        """The article as the view shows it: its title, its body, and what it is (categories, validity, source)."""
        draft = article.draft
        names = self._category_names
        categories = "、".join(names.get(code, code) for code in article.categories) or "—"
        valid_to = draft.valid_to.isoformat() if draft.valid_to else self.tr("长期")
        valid = self.tr("{0} 至 {1}").format(draft.valid_from.isoformat() if draft.valid_from else "—", valid_to)
        facts = [
            self.tr("适用分类：{0}").format(categories),
            self.tr("关键词：{0}").format("、".join(article.keywords) or "—"),
            self.tr("有效期：{0}").format(valid),
            self.tr("来源：{0}").format(article.source or "—"),
            self.tr("第 {0} 版，{1} 更新").format(
                article.version, f"{self._service.local_time(article.updated_at):%Y-%m-%d}"
            ),
        ]
        return f"# {article.title}\n\n{article.body}\n\n---\n\n" + "  \n".join(facts) + "\n"

    # --- the station's proposals ---------------------------------------------------------------------------

    def _on_tab(self, index: int) -> None:
        if self.tabs.widget(index) is self.proposals:
            self.load_proposals()

    def load_proposals(self) -> None:
        run_in_background(self._service.knowledge_proposals, self._show_proposals, self._proposals_failed, owner=self)

    def _show_proposals(self, views: object) -> None:
        assert isinstance(views, list)
        self.proposals.clear()
        for view in views:
            assert isinstance(view, ProposalView)
            made = f"{self._service.local_time(view.proposal.created_at):%Y-%m-%d %H:%M}"
            row = QTreeWidgetItem([made, view.proposal.case_number, view.proposal.draft.title, self.status_text(view)])
            row.setToolTip(3, self.status_text(view))
            self.proposals.addTopLevelItem(row)
        if not views:
            row = QTreeWidgetItem(["", "", self.tr("本站还没有提出经验沉淀（在已办结诉求上点“经验沉淀…”）。"), ""])
            self.proposals.addTopLevelItem(row)

    def _proposals_failed(self, error: BaseException) -> None:
        self.proposals.clear()
        self.proposals.addTopLevelItem(QTreeWidgetItem(["", "", error_text(error), ""]))

    def status_text(self, view: ProposalView) -> str:
        if view.refused:
            return self.tr("未被接收：{0}").format(view.refused)
        if view.sent_at is None:
            return self.tr("待发送（下次同步报送城运中心）")
        label = tr_label(PROPOSAL_STATUS_LABELS[view.proposal.status])
        if view.proposal.status is ProposalStatus.REJECTED and view.proposal.reason:
            return self.tr("{0}：{1}").format(label, view.proposal.reason)
        return label


class ProposalDialog(WritingDialog):
    """经验沉淀: an article proposed from a closed case, pre-filled from it, checked and queued for the next sync."""

    def __init__(
        self, service: StationService, staff: StaffMember, state: CaseState, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("proposalDialog")
        self._service = service
        self._staff = staff
        self._case_id = state.id
        self.proposed: ProposalView | None = None
        self.setWindowTitle(self.tr("经验沉淀：{0}").format(state.number))
        self.resize(640, 560)
        template = service.proposal_template(state.id)
        names = service.category_names()
        self.title = QLineEdit(template.title)
        self.title.setMaxLength(100)
        self.categories = QLineEdit(" ".join(template.categories))
        self.categories.setToolTip("、".join(names.get(code, code) for code in template.categories))
        self.keywords = QLineEdit("、".join(template.keywords))
        self.keywords.setPlaceholderText(self.tr("用“、”分隔，如 香樟树、采光、修剪"))
        self.body = QPlainTextEdit(template.body)
        self.body.setTabChangesFocus(True)
        self.body.setMinimumHeight(240)
        intro = QLabel(
            self.tr(
                "把这件诉求的办理经验写成知识库条目，随下次同步报送城运中心审核，采纳后下发各工作站。"
                "请删去居民姓名、电话、门牌号等个人信息。"
            )
        )
        intro.setWordWrap(True)
        form = QFormLayout()
        form.addRow(self.tr("标题 *"), self.title)
        form.addRow(self.tr("分类代码"), self.categories)
        form.addRow(self.tr("关键词"), self.keywords)
        form.addRow(self.tr("正文 *"), self.body)
        self.error = error_label()
        self.buttons = accept_cancel_buttons(self, self.tr("提交"), self.tr("取消"))
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form, 1)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.title.setFocus()

    def accept(self) -> None:
        service, staff, case_id = self._service, self._staff, self._case_id
        title, body = self.title.text(), self.body.toPlainText()
        categories, keywords = split_list(self.categories.text()), split_list(self.keywords.text())
        self.write(
            lambda: service.propose_article(staff, case_id, title, body, categories, keywords),
            self._proposed,
        )

    def _proposed(self, view: object) -> None:
        assert isinstance(view, ProposalView)
        self.proposed = view
