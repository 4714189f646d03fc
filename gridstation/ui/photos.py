"""A case's photos in the detail pane: thumbnails beside the timeline, 添加照片 (a file picker), drag-and-drop of
image files and pasting an image (Ctrl+V). Adding writes off the screen's thread (`workers.py`); a click on a
thumbnail opens the photo larger."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMimeData, QSize, Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QGuiApplication, QIcon, QImage, QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from gridstation.domain.errors import DomainError
from gridstation.domain.photos import describe_size
from gridstation.services.photos import PASTED_FILENAME, CasePhoto
from gridstation.services.staff import StaffMember
from gridstation.services.station import StationService
from gridstation.ui.dialogs import error_label
from gridstation.ui.messages import error_text
from gridstation.ui.workers import run_in_background

THUMBNAIL_PIXELS = 88
IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".webp"})


def dropped_files(mime: QMimeData) -> list[Path]:
    """The local files among what is dragged in (the service checks by their bytes whether they are photos)."""
    return [Path(url.toLocalFile()) for url in mime.urls() if url.isLocalFile()] if mime.hasUrls() else []


def accepts(mime: QMimeData) -> bool:
    return mime.hasImage() or any(p.suffix.lower() in IMAGE_SUFFIXES for p in dropped_files(mime))


class PhotoStrip(QWidget):
    """The photos of the case on show, and the ways to add one. `added` carries the case id after a photo is in."""

    added = Signal(str)

    def __init__(self, service: StationService, staff: StaffMember, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._service = service
        self._staff = staff
        self.case_id: str | None = None
        self.busy = 0  # adds still being written
        self.heading = QLabel()
        self.add_button = QPushButton(self.tr("添加照片…"))
        self.add_button.setObjectName("add_photo")
        self.add_button.setToolTip(self.tr("选择照片文件；也可把照片拖到此处，或复制后按 Ctrl+V 粘贴"))
        self.add_button.clicked.connect(self.choose_files)
        self.thumbnails = QListWidget()
        self.thumbnails.setObjectName("photo_thumbnails")
        self.thumbnails.setViewMode(QListView.ViewMode.IconMode)
        self.thumbnails.setFlow(QListView.Flow.LeftToRight)
        self.thumbnails.setWrapping(False)
        self.thumbnails.setMovement(QListView.Movement.Static)
        self.thumbnails.setIconSize(QSize(THUMBNAIL_PIXELS, THUMBNAIL_PIXELS))
        self.thumbnails.setFixedHeight(THUMBNAIL_PIXELS + self.fontMetrics().height() + 22)
        self.thumbnails.setSpacing(4)
        self.thumbnails.itemActivated.connect(self._open)
        self.thumbnails.itemClicked.connect(self._open)
        self.error = error_label()
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.heading)
        top.addStretch(1)
        top.addWidget(self.add_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(top)
        layout.addWidget(self.thumbnails)
        layout.addWidget(self.error)

    def set_staff(self, staff: StaffMember) -> None:
        self._staff = staff

    def show_case(self, case_id: str) -> None:
        if case_id != self.case_id:
            self.error.hide()
        self.case_id = case_id
        self.thumbnails.clear()
        photos = self._service.photos(case_id)
        for photo in photos:
            self.thumbnails.addItem(self._item(photo))
        self.heading.setText(self.tr("照片（{0}）").format(len(photos)) if photos else self.tr("照片：暂无"))
        self.thumbnails.setVisible(bool(photos))

    def _item(self, photo: CasePhoto) -> QListWidgetItem:
        item = QListWidgetItem(photo.filename or self.tr("照片"))
        thumbnail = self._service.thumbnail(photo.sha256)
        if thumbnail is not None:
            item.setIcon(QIcon(QPixmap(str(thumbnail))))
        state = (
            self.tr("已上传")
            if photo.uploaded
            else self.tr("未被接收：{0}").format(photo.refused)
            if photo.refused
            else self.tr("待下载：{0}").format(photo.download_failed)
            if photo.to_download and photo.download_failed
            else self.tr("待下载（下次同步时取回）")
            if photo.to_download
            else self.tr("本机没有此照片")
            if photo.path is None
            else self.tr("来自城运中心")
            if photo.came_down
            else self.tr("待上传")
        )
        added = f"{self._service.local_time(photo.added_at):%Y-%m-%d %H:%M}"
        item.setToolTip(f"{photo.filename}\n{describe_size(photo.size)} · {added} {photo.added_by}\n{state}")
        item.setData(Qt.ItemDataRole.UserRole, photo)
        return item

    # --- adding ---------------------------------------------------------------------------------------------

    def choose_files(self) -> None:
        if self.case_id is None:
            return
        names, _filter = QFileDialog.getOpenFileNames(
            self, self.tr("选择照片"), "", self.tr("图片 (*.jpg *.jpeg *.png *.webp);;所有文件 (*)")
        )
        self.add_files([Path(name) for name in names])

    def add_files(self, paths: Sequence[Path]) -> None:
        self._add_all([(path, path.name) for path in paths])

    def add_image(self, image: QImage) -> None:
        """A pasted or dropped picture (not a file): kept as PNG, whatever it was on the clipboard."""
        if image.isNull():
            return
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        image.save(buffer, "PNG")  # type: ignore[call-overload]  # the stubs say bytes; PySide6 takes str
        buffer.close()
        self._add_all([(bytes(data.data()), PASTED_FILENAME)])

    def paste(self) -> bool:
        """Ctrl+V in the detail pane: an image on the clipboard, or image files copied in a file manager."""
        mime = QGuiApplication.clipboard().mimeData()
        if mime is None or not accepts(mime):
            return False
        self.add_mime(mime)
        return True

    def add_mime(self, mime: QMimeData) -> None:
        files = [p for p in dropped_files(mime) if p.suffix.lower() in IMAGE_SUFFIXES]
        if files:
            self.add_files(files)
        elif mime.hasImage():
            self.add_image(QImage(mime.imageData()))

    def _add_all(self, sources: Sequence[tuple[Path | bytes, str]]) -> None:
        """Attach in the order chosen, in one job: parallel jobs would file the photos in whatever order they
        finished. A refused file (not a photo, too large) does not stop the others; its reason is shown after."""
        case_id, staff, service = self.case_id, self._staff, self._service
        if case_id is None or not sources:
            return

        def attach_each() -> list[str]:
            refusals = []
            for source, filename in sources:
                try:
                    service.attach_photo(staff, case_id, source, filename)
                except DomainError as refused:
                    refusals.append(error_text(refused))
            return refusals

        self.busy += 1
        self.error.hide()
        run_in_background(attach_each, lambda refusals: self._added(case_id, refusals), self._failed, owner=self)

    def _added(self, case_id: str, refusals: object) -> None:
        self.busy -= 1
        if case_id == self.case_id:
            self.show_case(case_id)
        self.added.emit(case_id)
        if isinstance(refusals, list) and refusals:
            self.error.setText("\n".join(str(reason) for reason in refusals))
            self.error.show()

    def _failed(self, error: BaseException) -> None:
        self.busy -= 1
        self.error.setText(error_text(error))
        self.error.show()

    # --- looking ----------------------------------------------------------------------------------------------

    def _open(self, item: QListWidgetItem) -> PhotoViewer | None:
        photo = item.data(Qt.ItemDataRole.UserRole)
        if not isinstance(photo, CasePhoto):
            return None
        viewer = PhotoViewer(photo, self)
        viewer.open()
        return viewer


class PhotoViewer(QDialog):
    """One photo, as large as the screen allows."""

    def __init__(self, photo: CasePhoto, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("photo_viewer")
        self.setWindowTitle(photo.filename or self.tr("照片"))
        self.picture = QLabel()
        self.picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        pixmap = QPixmap(str(photo.path)) if photo.path is not None else QPixmap()
        if pixmap.isNull():
            self.picture.setText(self.tr("本机没有这张照片的原图（它是在别处添加的）。"))
        else:
            screen = self.screen().availableGeometry() if self.screen() is not None else None
            most = QSize(screen.width() * 4 // 5, screen.height() * 4 // 5) if screen else QSize(1200, 900)
            if pixmap.width() > most.width() or pixmap.height() > most.height():
                pixmap = pixmap.scaled(
                    most, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
                )
            self.picture.setPixmap(pixmap)
        area = QScrollArea()
        area.setWidget(self.picture)
        area.setWidgetResizable(True)
        close = QPushButton(self.tr("关闭"))
        close.clicked.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(area)
        layout.addWidget(close, 0, Qt.AlignmentFlag.AlignRight)
        if not pixmap.isNull():
            self.resize(pixmap.width() + 40, pixmap.height() + 80)


class PhotoDropTarget:
    """What the detail pane does with drags: takes image files and pictures, passes them to its photo strip."""

    def __init__(self, strip: PhotoStrip) -> None:
        self.strip = strip

    def enter(self, event: QDragEnterEvent) -> None:
        mime = event.mimeData()
        if self.strip.case_id is not None and mime is not None and accepts(mime):
            event.acceptProposedAction()
        else:
            event.ignore()

    def drop(self, event: QDropEvent) -> None:
        mime = event.mimeData()
        if self.strip.case_id is None or mime is None or not accepts(mime):
            event.ignore()
            return
        self.strip.add_mime(mime)
        event.acceptProposedAction()
