from django.urls import path

from . import views, views_counter

app_name = "needs"
urlpatterns = [
    path("", views.index, name="index"),
    path("verify/", views.verify, name="verify"),
    path("new/", views.need_new, name="need_new"),
    path("mine/", views.mine, name="mine"),
    path("moderation/", views.moderation, name="moderation"),
    path("<int:need_id>/report/", views.need_report, name="need_report"),
    path("<int:need_id>/hide/", views.need_hide, name="need_hide"),
    path("<int:need_id>/restore/", views.need_restore, name="need_restore"),
    path("menus/", views.menu_list, name="menus"),
    path("menus/manage/", views.menu_manage, name="menu_manage"),
    path("menus/<int:menu_id>/", views.menu_detail, name="menu_detail"),
    path("menus/<int:menu_id>/edit/", views.menu_edit, name="menu_edit"),
    path("menus/<int:menu_id>/publish/", views.menu_publish, name="menu_publish"),
    path("menus/<int:menu_id>/close/", views.menu_close, name="menu_close"),
    path(
        "menus/<int:menu_id>/items/<int:item_id>/remove/",
        views.menu_item_remove,
        name="menu_item_remove",
    ),
    path("menus/<int:menu_id>/results/", views.menu_results, name="menu_results"),
    path("menus/<int:menu_id>/results.csv", views.menu_results_csv, name="menu_results_csv"),
    path("menus/<int:menu_id>/results.xlsx", views.menu_results_xlsx, name="menu_results_xlsx"),
    path("items/<int:item_id>/order/", views.menu_order, name="menu_order"),
    path("counter/", views_counter.counter, name="counter"),
    path("counter/order/", views_counter.counter_order, name="counter_order"),
    path("counter/need/", views_counter.counter_need, name="counter_need"),
    path("counter/end/", views_counter.counter_end, name="counter_end"),
    path("link/", views_counter.identity_link, name="identity_link"),
]
